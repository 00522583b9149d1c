// Softmax and LogSoftmax on float32. From opset 13 along one axis (default −1); before it, over the
// input flattened to 2-D at `axis` (default 1), as those opsets define it. The maximum is
// subtracted first; sums are in float64.

import { allocate } from "../tensor.js";
import { pure, type OpSpec } from "./kernel.js";
import { floatInput, normalizeAxis, product } from "./values.js";

function softmax(log: boolean): OpSpec {
  return {
    inputs: [1, 1],
    outputs: 1,
    build: ({ where, attrs, opset }) => {
      const perAxis = opset >= 13;
      const axisAttr = attrs.int("axis", perAxis ? -1 : 1);
      return pure((inputs) => {
        const x = floatInput(inputs, 0, where);
        const rank = x.dims.length;
        // A scalar is one group of one (rank-0 axis checks do not apply).
        const axis = rank === 0 ? 0 : normalizeAxis(axisAttr, rank, where);
        const outer = product(x.dims, 0, axis);
        const [size, inner] = perAxis ? [x.dims[axis] ?? 1, product(x.dims, axis + 1)] : [product(x.dims, axis), 1];
        const out = allocate("float32", x.dims, where);
        for (let o = 0; o < outer; o++) {
          for (let i = 0; i < inner; i++) {
            const base = o * size * inner + i;
            let max = -Infinity;
            for (let k = 0; k < size; k++) max = Math.max(max, x.data[base + k * inner]);
            let sum = 0;
            for (let k = 0; k < size; k++) {
              const e = Math.exp(x.data[base + k * inner] - max);
              out.data[base + k * inner] = e;
              sum += e;
            }
            const logSum = Math.log(sum);
            for (let k = 0; k < size; k++) {
              const at = base + k * inner;
              out.data[at] = log ? x.data[at] - max - logSum : out.data[at] / sum;
            }
          }
        }
        return out;
      });
    },
  };
}

export const SOFTMAX_OPS: Record<string, OpSpec> = { Softmax: softmax(false), LogSoftmax: softmax(true) };
