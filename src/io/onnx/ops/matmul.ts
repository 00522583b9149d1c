// MatMul (numpy semantics: 1-D operands promoted, batch dimensions broadcast) and Gemm (alpha, beta,
// transA, transB, C broadcast to [M, N]) on float32, both through the wasm core's blocked SIMD sgemm:
// operands are copied into buffers the kernel keeps from run to run, then one sgemm call per matrix.
// In a session quantizeDynamic made selecting "Dense", a constant 2-D B runs on the int8 kernels instead.
// In a plan, a float32 MatMul by a constant 2-D B multiplies in place in wasm memory (matmulStep).

import { engine } from "../../../engine/engine.js";
import { ShapeError } from "../../../errors.js";
import { BufferPool } from "../../../layers/buffer-pool.js";
import { allocate, elementCount, isType, OnnxTensor } from "../tensor.js";
import { broadcastDims, broadcastIndex, sameDims, transpose } from "./elements.js";
import type { BuildContext, Kernel, OpSpec, PlanNode, PlannedStep } from "./kernel.js";
import { OwnedMemory } from "./owned-memory.js";
import { Int8MatMul } from "./quantized-matmul.js";
import { floatInput } from "./values.js";

/** One operand as sgemm reads it: rows·rowStride + column·colStride floats from its batch's start. */
interface Operand {
  data: Float32Array;
  rowStride: number;
  colStride: number;
  /** Float offset of each output batch's matrix in data. */
  batches: ArrayLike<number>;
}

/** Runs sgemm in wasm memory owned by one kernel. */
class Sgemm {
  private readonly engine = engine();
  private readonly pool = new BufferPool(this.engine);

  /** C[b] = A[b] · B[b] for every batch b; returns C, batches × M × N. */
  multiply(M: number, N: number, K: number, a: Operand, b: Operand, where: string): Float32Array {
    const eng = this.engine;
    const batches = a.batches.length;
    elementCount([batches, M, N], where);
    const pa = this.pool.floats("a", a.data.length), pb = this.pool.floats("b", b.data.length), pc = this.pool.floats("c", batches * M * N);
    eng.write(pa, a.data);
    eng.write(pb, b.data);
    const work = eng.scratch(eng.core.gemmWorkspaceBytes());
    for (let i = 0; i < batches; i++) {
      eng.core.sgemm(M, N, K, pa + a.batches[i] * 4, a.rowStride, a.colStride, pb + b.batches[i] * 4, b.rowStride, b.colStride, pc + i * M * N * 4, N, 0, work);
    }
    return eng.read(pc, batches * M * N);
  }

  dispose(): void {
    this.pool.dispose();
  }
}

/** How MatMul's operands (numpy semantics) meet: matrix sizes, each output batch's operand batches, the output dims. */
export interface MatMulShape {
  M: number;
  N: number;
  K: number;
  /** For output batch i, the batch of A (ia[i]) and of B (ib[i]) it multiplies. */
  ia: Int32Array;
  ib: Int32Array;
  dims: number[];
}

/** The shape of A·B for A and B of any rank ≥ 1 (1-D operands promoted, batch dimensions broadcast). */
export function matmulShape(a: readonly number[], b: readonly number[], where: string): MatMulShape {
  if (a.length === 0 || b.length === 0) throw new ShapeError(`${where}: MatMul needs operands of rank ≥ 1; got [${a.join(", ")}] and [${b.join(", ")}]`);
  const aDims = a.length === 1 ? [1, a[0]] : a;
  const bDims = b.length === 1 ? [b[0], 1] : b;
  const [M, K] = aDims.slice(-2), [K2, N] = bDims.slice(-2);
  if (K !== K2) throw new ShapeError(`${where}: cannot multiply [${a.join(", ")}] by [${b.join(", ")}] (inner sizes ${K} and ${K2})`);
  const aBatch = aDims.slice(0, -2), bBatch = bDims.slice(0, -2);
  const batch = broadcastDims(aBatch, bBatch, where);
  const dims = [...batch, ...(a.length === 1 ? [] : [M]), ...(b.length === 1 ? [] : [N])];
  return { M, N, K, ia: broadcastIndex(aBatch, batch, where), ib: broadcastIndex(bBatch, batch, where), dims };
}

function matmul(gemm: Sgemm, a: OnnxTensor<"float32">, b: OnnxTensor<"float32">, where: string): OnnxTensor<"float32"> {
  const { M, N, K, ia, ib, dims } = matmulShape(a.dims, b.dims, where);
  const c = gemm.multiply(M, N, K,
    { data: a.data, rowStride: K, colStride: 1, batches: ia.map((i) => i * M * K) },
    { data: b.data, rowStride: N, colStride: 1, batches: ib.map((i) => i * K * N) }, where);
  return new OnnxTensor(c, dims);
}

/** MatMul in a plan: a changing float32 A [..., M, K] times a constant 2-D B [K, N], the rows of A
 *  one matrix: one matrix–vector product per row for up to two rows (B transposed once), else the
 *  packed GEMM (B packed once). */
function matmulStep(node: PlanNode): PlannedStep | null {
  const [a, b] = node.inputs;
  if (!a || a.type !== "float32" || a.constant || a.dims.length < 2 || !b?.constant || b.type !== "float32" || b.dims.length !== 2) return null;
  const [K, N] = b.dims, rows = a.dims.slice(0, -1).reduce((p, d) => p * d, 1);
  const data = b.constant.data as Float32Array;
  const core = node.engine.core, memory = new OwnedMemory(node.engine);
  const byRows = rows <= 2;
  return {
    scratchBytes: byRows ? 0 : core.gemmWorkspaceBytes(),
    make: (at) => {
      const from = at.input(0), to = at.output(0), work = at.scratch;
      if (byRows) {
        const transposed = new Float32Array(N * K);
        for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) transposed[n * K + k] = data[k * N + n];
        const w = memory.floatsOf(transposed);
        return () => {
          for (let r = 0; r < rows; r++) core.gemvRows(N, K, w, from + r * K * 4, to + r * N * 4, 0);
        };
      }
      const packed = memory.floats(core.packedSize(K, N));
      core.packB(K, N, memory.floatsOf(data), N, 1, packed);
      return () => core.sgemmPacked(rows, N, K, from, K, 1, packed, to, N, 0, work);
    },
    dispose: () => memory.dispose(),
  };
}

const MatMul: OpSpec = {
  inputs: [2, 2],
  outputs: 1,
  weights: [1],
  build: ({ where, known, quantizes }): Kernel => {
    const b = known(1);
    if (b && isType(b, "float32") && b.dims.length === 2 && quantizes("dense")) {
      const [K, N] = b.dims;
      const int8 = new Int8MatMul(K, N, (n, k) => b.data[k * N + n], where);
      return { run: (inputs) => [int8.multiply(floatInput(inputs, 0, where))], dispose: () => int8.dispose() };
    }
    const gemm = new Sgemm();
    return {
      run: (inputs) => [matmul(gemm, floatInput(inputs, 0, where), floatInput(inputs, 1, where), where)],
      plan: matmulStep,
      dispose: () => gemm.dispose(),
    };
  },
};

/** A'·B' as Gemm reads its operands, on sgemm — or, for a session quantizeDynamic made selecting Dense and a constant B, on the int8 kernels. */
function gemmProduct(known: BuildContext["known"], quantizes: BuildContext["quantizes"], transA: boolean, transB: boolean, where: string) {
  const b = known(1);
  if (b && isType(b, "float32") && b.dims.length === 2 && quantizes("dense")) {
    const [K, N] = transB ? [b.dims[1], b.dims[0]] : b.dims;
    const int8 = new Int8MatMul(K, N, (n, k) => b.data[transB ? n * K + k : k * N + n], where);
    const multiply = (a: OnnxTensor<"float32">) => {
      if (a.dims.length !== 2) throw new ShapeError(`${where}: Gemm needs 2-D A and B; got [${a.dims.join(", ")}] and [${b.dims.join(", ")}]`);
      return int8.multiply(transA ? transpose(a, [1, 0], where) : a);
    };
    return { multiply, dispose: () => int8.dispose() };
  }
  const gemm = new Sgemm();
  const multiply = (a: OnnxTensor<"float32">, bIn: OnnxTensor<"float32">) => {
    if (a.dims.length !== 2 || bIn.dims.length !== 2) throw new ShapeError(`${where}: Gemm needs 2-D A and B; got [${a.dims.join(", ")}] and [${bIn.dims.join(", ")}]`);
    const [M, K] = transA ? [a.dims[1], a.dims[0]] : a.dims, [K2, N] = transB ? [bIn.dims[1], bIn.dims[0]] : bIn.dims;
    if (K !== K2) throw new ShapeError(`${where}: A' is [${M}, ${K}] but B' is [${K2}, ${N}]`);
    const ab = gemm.multiply(M, N, K,
      { data: a.data, rowStride: transA ? 1 : K, colStride: transA ? M : 1, batches: [0] },
      { data: bIn.data, rowStride: transB ? 1 : N, colStride: transB ? K : 1, batches: [0] }, where);
    return new OnnxTensor("float32", ab, [M, N]);
  };
  return { multiply, dispose: () => gemm.dispose() };
}

const Gemm: OpSpec = {
  inputs: [2, 3],
  outputs: 1,
  weights: [1, 2],
  build: ({ where, attrs, known, quantizes }): Kernel => {
    const alpha = attrs.float("alpha", 1), beta = attrs.float("beta", 1);
    const transA = attrs.int("transA", 0) !== 0, transB = attrs.int("transB", 0) !== 0;
    const product = gemmProduct(known, quantizes, transA, transB, where);
    const run = (inputs: readonly (OnnxTensor | null)[]) => {
      const ab = product.multiply(floatInput(inputs, 0, where), floatInput(inputs, 1, where));
      const [M, N] = ab.dims;
      const out = allocate("float32", [M, N], where);
      const c = inputs[2] ? floatInput(inputs, 2, where) : null;
      if (c && !sameDims(broadcastDims(c.dims, [M, N], where), [M, N])) throw new ShapeError(`${where}: C must broadcast to [${M}, ${N}]; got [${c.dims.join(", ")}]`);
      const ic = c && broadcastIndex(c.dims, [M, N], where);
      for (let i = 0; i < out.size; i++) out.data[i] = alpha * ab.data[i] + (c && ic ? beta * c.data[ic[i]] : 0);
      return [out];
    };
    return { run, dispose: () => product.dispose() };
  },
};

export const MATMUL_OPS: Record<string, OpSpec> = { MatMul, Gemm };
