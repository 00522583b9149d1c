// Graph rewrite before the session builds its kernels: the integer MatMul that onnxruntime's
// quantize_dynamic writes around each MatMul with a constant weight —
//   x_q, x_scale, x_zp = DynamicQuantizeLinear(x)
//   y_int = MatMulInteger(x_q, B, x_zp, B_zp);  y_float = Cast(y_int, to=FLOAT)
//   scale = Mul(x_scale, B_scale);               y = Mul(y_float, scale)
// — becomes one node of FUSED_DOMAIN, y = MatMulInteger(x, B, B_scale, B_zp), which runs on the int8
// kernels (ops/quantized-matmul.ts). It fuses only when B, B_scale and B_zp are initializers no feed
// can replace, of the shapes that node takes, and the intermediate values have no other reader (nor
// are graph outputs); DynamicQuantizeLinear is dropped once nothing else reads it. Anything else runs
// unfused, operator by operator.

import type { OnnxGraph, OnnxNode } from "./model.js";
import { READ_TYPES } from "./tensor-proto.js";
import { FUSED_DOMAIN } from "./ops/quantized-matmul.js";

/** ONNX's FLOAT data type (Cast's `to`). */
const FLOAT = 1;

/** The graph's nodes (in `order`) with every quantize_dynamic MatMul fused. */
export function fuseQuantizedMatMuls(graph: OnnxGraph, order: readonly OnnxNode[]): OnnxNode[] {
  const fed = new Set(graph.inputs.map((i) => i.name));
  const constants = new Map(graph.initializers.filter((t) => !fed.has(t.name)).map((t) => [t.name, t]));
  const producer = new Map<string, OnnxNode>();
  const readers = new Map<string, number>();
  for (const node of order) {
    for (const output of node.outputs) if (output) producer.set(output, node);
    for (const input of node.inputs) readers.set(input, (readers.get(input) ?? 0) + 1);
  }
  for (const output of graph.outputs) readers.set(output.name, (readers.get(output.name) ?? 0) + 1);
  /** The node of `opType` (default domain) making `name`, if `name` has no other reader. */
  const only = (name: string, opType: string) => {
    const node = producer.get(name);
    return node && node.opType === opType && node.domain === "" && readers.get(name) === 1 ? node : undefined;
  };
  const eightBit = (name: string | undefined) => {
    const t = name ? constants.get(name) : undefined;
    return t && (READ_TYPES.get(t.dataType) === "int8" || READ_TYPES.get(t.dataType) === "uint8") ? t : undefined;
  };

  const replaced = new Map<OnnxNode, OnnxNode | null>();
  const quantizers = new Set<OnnxNode>();
  for (const mul of order) {
    if (mul.opType !== "Mul" || mul.domain !== "" || replaced.has(mul)) continue;
    for (const [product, scaled] of [mul.inputs, [...mul.inputs].reverse()]) {
      const cast = only(product, "Cast"), scale = only(scaled, "Mul");
      if (!cast || !scale || !cast.attributes.some((a) => a.name === "to" && a.i === FLOAT)) continue;
      const integer = only(cast.inputs[0], "MatMulInteger");
      const quantize = integer && producer.get(integer.inputs[0]);
      if (!integer || !quantize || quantize.opType !== "DynamicQuantizeLinear" || quantize.domain !== "") continue;
      const [xq, xScale, xZero] = quantize.outputs;
      if (integer.inputs[0] !== xq || integer.inputs[2] !== xZero || !xZero) continue;
      const weightScale = scale.inputs[0] === xScale ? scale.inputs[1] : scale.inputs[1] === xScale ? scale.inputs[0] : undefined;
      const b = eightBit(integer.inputs[1]), zero = integer.inputs[3] ? eightBit(integer.inputs[3]) : null;
      const s = weightScale === undefined ? undefined : constants.get(weightScale);
      if (!b || b.dims.length !== 2 || zero === undefined || (zero && zero.dataType !== b.dataType) || !s || READ_TYPES.get(s.dataType) !== "float32") continue;
      const N = b.dims[1], perColumn = (dims: readonly number[]) => dims.reduce((n, d) => n * d, 1) === 1 || (dims.length === 1 && dims[0] === N);
      if (!perColumn(s.dims) || (zero && !perColumn(zero.dims))) continue;
      for (const gone of [cast, scale, integer]) replaced.set(gone, null);
      quantizers.add(quantize);
      replaced.set(mul, {
        name: integer.name, opType: "MatMulInteger", domain: FUSED_DOMAIN, attributes: [], index: mul.index,
        inputs: [quantize.inputs[0], b.name, s.name, zero ? zero.name : ""], outputs: [mul.outputs[0]],
      });
      break;
    }
  }
  const fused = order.flatMap((node) => (replaced.has(node) ? (replaced.get(node) ?? []) : [node]));
  // A DynamicQuantizeLinear whose outputs nothing left reads (nor the graph outputs) goes too.
  const read = new Set([...fused.flatMap((n) => n.inputs), ...graph.outputs.map((o) => o.name)]);
  return fused.filter((n) => !quantizers.has(n) || n.outputs.some((o) => o && read.has(o)));
}
