// float16 through float32 kernels: an operator that computes in float32 runs on float16 inputs by
// decoding them to float32 (weights known at create time too) and rounding its float32 outputs back
// to float16 — one rounding per operator, as onnxruntime's CPU provider does with the float16 nodes it
// runs through float32 kernels. Operators that only move elements handle float16 bits themselves.

import { float16ToFloat32, float32ToFloat16 } from "../float16.js";
import { isType, OnnxTensor } from "../tensor.js";
import type { Kernel, OpSpec, Value } from "./kernel.js";

function toFloat32(t: Value): Value {
  return t && isType(t, "float16") ? new OnnxTensor("float32", float16ToFloat32(t.data), t.dims) : t;
}

function toFloat16(t: Value): Value {
  return t && isType(t, "float32") ? new OnnxTensor("float16", float32ToFloat16(t.data), t.dims) : t;
}

/** `spec` running float16 nodes through its float32 kernel. */
export function float16Through(spec: OpSpec): OpSpec {
  return {
    ...spec,
    build: (ctx) => {
      const kernel = spec.build({ ...ctx, known: (i) => toFloat32(ctx.known(i) ?? null) ?? ctx.known(i) });
      const wrapped: Kernel = {
        run: (inputs) => {
          if (!inputs.some((t) => t?.type === "float16")) return kernel.run(inputs);
          return kernel.run(inputs.map(toFloat32)).map(toFloat16);
        },
      };
      if (kernel.plan) wrapped.plan = (node) => (node.inputs.some((v) => v?.type === "float16") ? null : kernel.plan!(node));
      if (kernel.dispose) wrapped.dispose = () => kernel.dispose!();
      return wrapped;
    },
  };
}
