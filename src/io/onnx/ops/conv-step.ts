// Conv and ConvTranspose in a plan: 1-D and 2-D float32 convolutions with constant weights, on the
// wasm core's GEMM. Conv: per image and group, im2row lays the input out as rows [P, K] (P output
// positions, K = channels·kernel taps), one sgemmPacked multiplies them by the weights packed once
// at plan time, and rowsToChannels writes [M, P] with the bias and a fused activation. A depthwise
// convolution (one channel per group) runs the direct depthwiseConv kernel instead. ConvTranspose:
// the input's columns times the packed weights give each input position's contributions, row2im adds
// them into the output (filled with the bias first), then the activation.

import type { Engine } from "../../../engine/engine.js";
import { convShape, convTransposeShape, type ConvAttributes, type ConvShape } from "./conv-geometry.js";
import type { FusedActivation, PlanNode, PlannedStep } from "./kernel.js";
import { OwnedMemory } from "./owned-memory.js";

/** Up to this many output positions a convolution multiplies by its weights as they are, position by position. */
const GEMV_POSITIONS = 2;

/** The geometry block the conv kernels read (assembly/conv.ts): C, H, W, KH, KW, SH, SW, DH, DW, PT, PL, OH, OW. */
function geometry(C: number, s: ConvShape, transposed: boolean): number[] {
  const two = (v: number[]) => (v.length === 1 ? [1, v[0]] : v);
  const [H, W] = two(transposed ? s.output : s.input), [OH, OW] = two(transposed ? s.input : s.output);
  const [KH, KW] = two(s.kernel), [SH, SW] = two(s.strides), [DH, DW] = two(s.dilations);
  const [PT, PL] = s.before.length === 1 ? [0, s.before[0]] : s.before;
  return [C, H, W, KH, KW, SH, SW, DH, DW, PT, PL, OH, OW];
}

/** The activation the epilogue applies, with PReLU's slopes in wasm memory. */
function epilogue(memory: OwnedMemory, act: FusedActivation | null, channels: number): { code: number; alpha: number; slopes: number } {
  if (!act) return { code: 0, alpha: 0, slopes: 0 };
  if (act.code !== 4) return { code: act.code, alpha: act.alpha, slopes: 0 };
  const slopes = act.slopes!;
  return { code: 4, alpha: 0, slopes: memory.floatsOf(slopes.length === 1 ? new Float32Array(channels).fill(slopes[0]) : slopes) };
}

/** The operands every plan step of a convolution needs checked: X dynamic float32, W (and B) constant float32, 1-D or 2-D. */
function operands(node: PlanNode) {
  const [x, w, b] = node.inputs;
  if (!x || x.type !== "float32" || x.constant || !w?.constant || w.type !== "float32") return null;
  if (b && (!b.constant || b.type !== "float32")) return null;
  if (x.dims.length !== 3 && x.dims.length !== 4) return null;
  return { x, w: w.constant.data as Float32Array, wDims: w.dims, b: (b?.constant?.data as Float32Array | undefined) ?? null };
}

export function convStep(node: PlanNode, a: ConvAttributes): PlannedStep | null {
  const ops = operands(node);
  if (!ops) return null;
  const { x, w, wDims, b } = ops;
  const [N, C, ...spatial] = x.dims;
  const M = wDims[0], g = a.group, Cg = C / g, Mg = M / g;
  const s = convShape(a, spatial, wDims.slice(2), node.where);
  const P = s.output.reduce((p, d) => p * d, 1), S = spatial.reduce((p, d) => p * d, 1);
  const taps = s.kernel.reduce((p, d) => p * d, 1), K = Cg * taps;
  const engine = node.engine, core = engine.core;
  const memory = new OwnedMemory(engine);
  const depthwise = Cg === 1 && Mg === 1;
  let act: FusedActivation | null = null;
  const rowsBytes = P * K * 4, productBytes = P * Mg * 4;
  return {
    scratchBytes: depthwise ? 0 : rowsBytes + productBytes + core.gemmWorkspaceBytes(),
    fuse: (activation) => {
      act = activation;
      return true;
    },
    make: (at) => {
      const geo = memory.intsOf(geometry(depthwise ? 1 : Cg, s, false));
      const bias = b ? memory.floatsOf(b) : 0;
      const { code, alpha, slopes } = epilogue(memory, act, M);
      const from = at.input(0), to = at.output(0);
      if (depthwise) {
        const weights = memory.floatsOf(w);
        return () => {
          for (let n = 0; n < N; n++) core.depthwiseConv(geo, C, from + n * C * S * 4, weights, bias, code, slopes, alpha, to + n * M * P * 4);
        };
      }
      // Group j's weights W[j·Mg…, Cg, taps] = [Mg × K]: for a few output positions as they are, one
      // matrix–vector product per position (packing pays only over more rows: Silero's deeper layers
      // have 1 or 2 positions); else packed as B = Wᵀ [K × Mg] for sgemmPacked.
      const byRows = P <= GEMV_POSITIONS;
      const weights = Array.from({ length: g }, (_, j) => {
        const src = memory.floatsOf(w.subarray(j * Mg * K, (j + 1) * Mg * K));
        if (byRows) return src;
        const dst = memory.floats(core.packedSize(K, Mg));
        core.packB(K, Mg, src, 1, K, dst);
        return dst;
      });
      const rows = at.scratch, product = rows + rowsBytes, work = product + productBytes;
      return () => {
        for (let n = 0; n < N; n++) {
          for (let j = 0; j < g; j++) {
            core.im2row(geo, from + (n * C + j * Cg) * S * 4, rows);
            if (byRows) for (let p = 0; p < P; p++) core.gemvRows(Mg, K, weights[j], rows + p * K * 4, product + p * Mg * 4, 0);
            else core.sgemmPacked(P, Mg, K, rows, K, 1, weights[j], product, Mg, 0, work);
            const channel = j * Mg;
            core.rowsToChannels(P, Mg, product, Mg, bias ? bias + channel * 4 : 0, code, slopes ? slopes + channel * 4 : 0, alpha, to + (n * M + channel) * P * 4);
          }
        }
      };
    },
    dispose: () => memory.dispose(),
  };
}

export function convTransposeStep(node: PlanNode, a: ConvAttributes): PlannedStep | null {
  const ops = operands(node);
  if (!ops) return null;
  const { x, w, wDims, b } = ops;
  const [N, C, ...spatial] = x.dims;
  const g = a.group, Cg = C / g, Mg = wDims[1], M = Mg * g;
  const s = convTransposeShape(a, spatial, wDims.slice(2), node.where);
  const P = spatial.reduce((p, d) => p * d, 1), Q = s.output.reduce((p, d) => p * d, 1);
  const taps = s.kernel.reduce((p, d) => p * d, 1), K = Mg * taps;
  const engine: Engine = node.engine, core = engine.core;
  const memory = new OwnedMemory(engine);
  let act: FusedActivation | null = null;
  const colsBytes = P * K * 4;
  return {
    scratchBytes: colsBytes + core.gemmWorkspaceBytes(),
    fuse: (activation) => {
      act = activation;
      return true;
    },
    make: (at) => {
      const geo = memory.intsOf(geometry(Mg, s, true));
      const bias = b ? memory.floatsOf(b) : 0;
      const { code, alpha, slopes } = epilogue(memory, act, M);
      // Group j's weights W[j·Cg…, Mg, taps] = [Cg × K], row-major: B as it is.
      const packed = Array.from({ length: g }, (_, j) => {
        const src = memory.floatsOf(w.subarray(j * Cg * K, (j + 1) * Cg * K));
        const dst = memory.floats(core.packedSize(Cg, K));
        core.packB(Cg, K, src, K, 1, dst);
        return dst;
      });
      const from = at.input(0), to = at.output(0);
      const cols = at.scratch, work = cols + colsBytes;
      return () => {
        for (let n = 0; n < N; n++) {
          const image = to + n * M * Q * 4;
          engine.fill(image, M * Q);
          for (let j = 0; j < g; j++) {
            // cols [P × K] = xᵀ · W_j: x's group channels [Cg, P] read transposed (rows stride 1, columns stride P).
            core.sgemmPacked(P, K, Cg, from + (n * C + j * Cg) * P * 4, 1, P, packed[j], cols, K, 0, work);
            core.row2im(geo, cols, image + j * Mg * Q * 4);
          }
          core.channelsEpilogue(M, Q, image, bias, code, slopes, alpha);
        }
      };
    },
    dispose: () => memory.dispose(),
  };
}
