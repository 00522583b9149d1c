// The fused form of quantize_dynamic's integer MatMul (see ../fusion.ts): x [..., K] float32 times a
// constant 8-bit B [K, N] with its scale and zero point (scalars or one per column), run as a
// quantized Dense on the int8 kernels. B's columns are dequantized, (B − zero point) · scale, and
// requantized per column the way quantizeDynamic stores a Dense weight — symmetric int8 weights with
// one scale per tensor or per column come back unchanged up to that scale's rounding. Activations are
// quantized per row by the kernel (7 bits), not per tensor to uint8 as the unfused operators do, so
// the two agree to quantization error.

import { ShapeError } from "../../../errors.js";
import { Dense } from "../../../layers/dense.js";
import { quantizeRows, scaleName } from "../../../layers/quantize.js";
import { Tensor } from "../../../tensor.js";
import { isType, OnnxTensor } from "../tensor.js";
import type { BuildContext, Kernel, OpSpec } from "./kernel.js";
import { floatInput } from "./values.js";

/** The domain of the nodes fusion.ts makes (never one a model can name: ONNX domains are reverse DNS names). */
export const FUSED_DOMAIN = "wasm-rnn fused";

/** One value per column from a scalar or a [N] tensor. */
function perColumn(t: OnnxTensor | null, N: number, what: string): Float64Array {
  const out = new Float64Array(N);
  if (!t) return out;
  if (t.size === 1) return out.fill(Number(t.data[0]));
  if (t.size !== N) throw new ShapeError(`${what} must be a scalar or hold one value per column (${N}); got shape [${t.dims.join(", ")}]`);
  out.set(Array.from(t.data as ArrayLike<number>));
  return out;
}

/** x [..., K] · B for a constant float B [K, N], on a quantized Dense (B's columns quantized to int8 per column). */
export class Int8MatMul {
  private readonly dense: Dense;

  /** `column(n, k)` is B[k, n]. */
  constructor(readonly K: number, readonly N: number, column: (n: number, k: number) => number, private readonly where: string) {
    const rows = new Float32Array(N * K);
    for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) rows[n * K + k] = column(n, k);
    const q = quantizeRows(rows, N, K, `${where}: B`);
    this.dense = new Dense({ inFeatures: K, outFeatures: N, bias: false, quantized: true });
    try {
      this.dense.loadStateDict({ weight: new Tensor(q.values, [N, K]), [scaleName("weight")]: new Tensor(q.scales, [N]) });
    } catch (e) {
      this.dense.dispose();
      throw e;
    }
  }

  multiply(x: OnnxTensor<"float32">): OnnxTensor<"float32"> {
    if (x.dims.length === 0 || x.dims[x.dims.length - 1] !== this.K) throw new ShapeError(`${this.where}: cannot multiply [${x.dims.join(", ")}] by B [${this.K}, ${this.N}]`);
    const y = this.dense.forward(new Tensor(x.data, x.dims));
    return new OnnxTensor("float32", y.data, y.shape);
  }

  dispose(): void {
    this.dense.dispose();
  }
}

/** The Int8MatMul of B̃ = (B − zeroPoint) · scale. */
function dequantized(b: OnnxTensor, scale: OnnxTensor, zeroPoint: OnnxTensor | null, where: string): Int8MatMul {
  if (!isType(b, "int8") && !isType(b, "uint8")) throw new ShapeError(`${where}: B must be int8 or uint8; got ${b.type}`);
  if (b.dims.length !== 2) throw new ShapeError(`${where}: B must be a matrix [K, N]; got [${b.dims.join(", ")}]`);
  if (!isType(scale, "float32")) throw new ShapeError(`${where}: B's scale must be float32; got ${scale.type}`);
  if (zeroPoint && zeroPoint.type !== b.type) throw new ShapeError(`${where}: b_zero_point is ${zeroPoint.type} but B is ${b.type}`);
  const [K, N] = b.dims;
  const scales = perColumn(scale, N, `${where}: B's scale`), zeros = perColumn(zeroPoint, N, `${where}: b_zero_point`);
  return new Int8MatMul(K, N, (n, k) => (b.data[k * N + n] - zeros[n]) * scales[n], where);
}

/** Inputs: x (float32), B, B's scale, b_zero_point (optional) — the last three constants. */
const MatMulInteger: OpSpec = {
  inputs: [3, 4],
  outputs: 1,
  build: ({ where, known }: BuildContext): Kernel => {
    const constant = (i: number) => {
      const t = known(i);
      if (t === undefined) throw new ShapeError(`${where}: input ${i} must be a constant`);
      return t;
    };
    const product = dequantized(constant(1)!, constant(2)!, constant(3), where);
    return { run: (inputs) => [product.multiply(floatInput(inputs, 0, where))], dispose: () => product.dispose() };
  },
};

export const FUSED_OPS: Record<string, OpSpec> = { MatMulInteger };
