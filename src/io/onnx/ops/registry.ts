// The operators wasm-rnn runs, by domain ("" is the default ONNX domain) and op type; FUSED_DOMAIN
// holds the nodes fusion.ts makes.

import { CONSTANT_OPS } from "./constant.js";
import { ELEMENTWISE_OPS } from "./elementwise.js";
import type { OpSpec } from "./kernel.js";
import { INTEGER_OPS } from "./integer.js";
import { MATMUL_OPS } from "./matmul.js";
import { MOVEMENT_OPS } from "./movement.js";
import { FUSED_DOMAIN, FUSED_OPS } from "./quantized-matmul.js";
import { MICROSOFT_RECURRENT_OPS, RECURRENT_OPS } from "./recurrent.js";
import { SHAPE_OPS } from "./shape.js";
import { SOFTMAX_OPS } from "./softmax.js";

export const OPERATORS: ReadonlyMap<string, ReadonlyMap<string, OpSpec>> = new Map([
  ["", new Map(Object.entries({ ...RECURRENT_OPS, ...MATMUL_OPS, ...INTEGER_OPS, ...ELEMENTWISE_OPS, ...SOFTMAX_OPS, ...MOVEMENT_OPS, ...SHAPE_OPS, ...CONSTANT_OPS }))],
  ["com.microsoft", new Map(Object.entries(MICROSOFT_RECURRENT_OPS))],
  [FUSED_DOMAIN, new Map(Object.entries(FUSED_OPS))],
]);
