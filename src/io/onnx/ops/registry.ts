// The operators wasm-rnn runs, by op type (default ONNX domain only).

import { CONSTANT_OPS } from "./constant.js";
import { ELEMENTWISE_OPS } from "./elementwise.js";
import type { OpSpec } from "./kernel.js";
import { MATMUL_OPS } from "./matmul.js";
import { MOVEMENT_OPS } from "./movement.js";
import { RECURRENT_OPS } from "./recurrent.js";
import { SHAPE_OPS } from "./shape.js";
import { SOFTMAX_OPS } from "./softmax.js";

export const OPERATORS: ReadonlyMap<string, OpSpec> = new Map(
  Object.entries({ ...RECURRENT_OPS, ...MATMUL_OPS, ...ELEMENTWISE_OPS, ...SOFTMAX_OPS, ...MOVEMENT_OPS, ...SHAPE_OPS, ...CONSTANT_OPS }),
);
