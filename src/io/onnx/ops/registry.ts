// The operators wasm-rnn runs, by domain ("" is the default ONNX domain) and op type; FUSED_DOMAIN
// holds the nodes fusion.ts makes. Operators that compute in float32 also take float16 (float16.ts).

import { ACTIVATION_OPS } from "./activations.js";
import { ARITHMETIC_OPS } from "./arithmetic.js";
import { CONSTANT_OPS } from "./constant.js";
import { CONTROL_OPS } from "./control.js";
import { CONV_OPS } from "./conv.js";
import { float16Through } from "./float16.js";
import { INDEXING_OPS } from "./indexing.js";
import { INTEGER_OPS } from "./integer.js";
import type { OpSpec } from "./kernel.js";
import { LAYOUT_OPS } from "./layout.js";
import { LOGIC_OPS } from "./logic.js";
import { MATMUL_OPS } from "./matmul.js";
import { MOVEMENT_OPS } from "./movement.js";
import { NORMALIZATION_OPS } from "./normalization.js";
import { FUSED_DOMAIN, FUSED_OPS } from "./quantized-matmul.js";
import { MICROSOFT_RECURRENT_OPS, RECURRENT_OPS } from "./recurrent.js";
import { REDUCE_OPS } from "./reduce.js";
import { SHAPE_OPS } from "./shape.js";
import { SOFTMAX_OPS } from "./softmax.js";

/** Operators computing on float values, which run float16 through float32. */
const COMPUTING = { ...RECURRENT_OPS, ...MATMUL_OPS, ...ARITHMETIC_OPS, ...ACTIVATION_OPS, ...SOFTMAX_OPS, ...REDUCE_OPS, ...NORMALIZATION_OPS, ...LOGIC_OPS, ...CONV_OPS };

/** Operators that move elements of any type, and control flow. */
const MOVING = { ...INTEGER_OPS, ...MOVEMENT_OPS, ...LAYOUT_OPS, ...INDEXING_OPS, ...SHAPE_OPS, ...CONSTANT_OPS, ...CONTROL_OPS };

const byName = (ops: Record<string, OpSpec>) => new Map(Object.entries(ops));

export const OPERATORS: ReadonlyMap<string, ReadonlyMap<string, OpSpec>> = new Map([
  ["", byName({ ...Object.fromEntries(Object.entries(COMPUTING).map(([name, spec]) => [name, float16Through(spec)])), ...MOVING })],
  ["com.microsoft", byName(MICROSOFT_RECURRENT_OPS)],
  [FUSED_DOMAIN, byName(FUSED_OPS)],
]);
