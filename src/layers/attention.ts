// Global attention for decoders (Luong et al. 2015): each decoder state h_t attends over the encoder
// outputs of its own sequence (padding masked), and the context c_t and h_t combine into
// h̃_t = tanh(W_c [c_t; h_t] + b_c). Scores: "dot" (h·e), "general" (h·W_a e) or "additive"
// (Bahdanau et al.: v·tanh(W_q h + W_k e)). Orchestrates the wasm kernels of assembly/attention.ts
// and dense layers' GEMMs; works on wasm-resident, time-major buffers only (an internal layer).

import { ShapeError } from "../errors.js";
import { Random } from "../random.js";
import { describe, positiveInt } from "../validate.js";
import { Layer } from "./layer.js";
import type { ParameterSpec } from "./parameters.js";

export type AttentionKind = "dot" | "general" | "additive";

export interface AttentionOptions {
  kind: AttentionKind;
  /** Decoder state size (queries, and the size of h̃). */
  querySize: number;
  /** Encoder output size (values). */
  valueSize: number;
  /** Hidden size of the additive score (default querySize). */
  attentionSize?: number;
  seed?: number;
}

/** @internal What forwardResident kept for backward. */
interface AttentionCall {
  B: number;
  Td: number;
  Ts: number;
  dec: number;
  enc: number;
  lengths: number;
}

export class Attention extends Layer {
  readonly kind: AttentionKind;
  readonly querySize: number;
  readonly valueSize: number;
  readonly attentionSize: number;
  private last: AttentionCall | null = null;

  constructor(options: AttentionOptions) {
    const kind = options?.kind;
    if (kind !== "dot" && kind !== "general" && kind !== "additive") {
      throw new ShapeError(`Attention: kind must be "dot", "general" or "additive"; got ${describe(kind)}`);
    }
    const Hd = positiveInt(options.querySize, "Attention: querySize");
    const He = positiveInt(options.valueSize, "Attention: valueSize");
    if (kind === "dot" && Hd !== He) {
      throw new ShapeError(`Attention: "dot" scores need equal decoder and encoder sizes (${Hd} vs ${He}); use "general" or "additive"`);
    }
    const A = kind === "additive" ? positiveInt(options.attentionSize ?? Hd, "Attention: attentionSize") : 0;
    const specs: ParameterSpec[] = [];
    if (kind === "general") specs.push({ name: "weight_a", shape: [Hd, He] });
    if (kind === "additive") {
      specs.push({ name: "weight_query", shape: [A, Hd] }, { name: "weight_key", shape: [A, He] }, { name: "v", shape: [A] });
    }
    specs.push({ name: "combine.weight", shape: [Hd, He + Hd] }, { name: "combine.bias", shape: [Hd] });
    super("Attention", specs);
    this.kind = kind;
    this.querySize = Hd;
    this.valueSize = He;
    this.attentionSize = A;
    this.resetParameters(new Random(options.seed));
  }

  /** Uniform ±1/√fan_in for every matrix and vector (as torch.nn.Linear). */
  resetParameters(random: Random = new Random()): void {
    for (const { name, shape } of this.params.specs) {
      const fanIn = shape.length === 2 ? shape[1] : shape[0];
      const k = 1 / Math.sqrt(fanIn);
      this.params.set(name, random.uniformArray(shape.reduce((a, b) => a * b, 1), -k, k));
    }
  }

  /**
   * @internal h̃ [Td, B, Hd] for decoder states dec [Td, B, Hd] attending over enc [Ts, B, He]
   * (source lengths int32 [B], 0 = all). Returns the layer's buffer; alignments stay for backward.
   */
  forwardResident(dec: number, enc: number, Td: number, Ts: number, B: number, lengths: number): number {
    const core = this.engine.core, pool = this.buffers, p = this.params;
    const Hd = this.querySize, He = this.valueSize, A = this.attentionSize;
    const work = this.engine.scratch(core.gemmWorkspaceBytes());
    const scores = pool.floats("alpha", B * Td * Ts);
    if (this.kind === "additive") {
      const q = pool.floats("q", Td * B * A), k = pool.floats("k", Ts * B * A);
      core.denseForward(Td * B, Hd, A, dec, p.ptr("weight_query"), 0, q, work);
      core.denseForward(Ts * B, He, A, enc, p.ptr("weight_key"), 0, k, work);
      core.additiveScores(B, Td, Ts, A, q, k, p.ptr("v"), pool.floats("tanh", B * Td * Ts * A), scores);
    } else {
      let keys = enc;
      if (this.kind === "general") {
        keys = pool.floats("keys", Ts * B * Hd);
        core.denseForward(Ts * B, He, Hd, enc, p.ptr("weight_a"), 0, keys, work);
      }
      core.dotScores(B, Td, Ts, Hd, dec, keys, scores, work);
    }
    core.maskedSoftmax(B, Td, Ts, lengths, scores);
    const ctx = pool.floats("ctx", Td * B * He);
    core.attendContext(B, Td, Ts, He, scores, enc, ctx, work);
    // [c_t; h_t] per row, then h̃ = tanh(W_c [c; h] + b_c).
    const rows = Td * B, joined = pool.floats("joined", rows * (He + Hd));
    this.engine.copyColumns(rows, He, ctx, He, joined, He + Hd);
    this.engine.copyColumns(rows, Hd, dec, Hd, joined + He * 4, He + Hd);
    const out = pool.floats("out", rows * Hd);
    core.denseForward(rows, He + Hd, Hd, joined, p.ptr("combine.weight"), p.ptr("combine.bias"), out, work);
    core.tanhForward(rows * Hd, out, out);
    this.last = { B, Td, Ts, dec, enc, lengths };
    return out;
  }

  /** Alignments [B, Td, Ts] of the last forward (for inspection and tests). */
  alignments(): Float32Array {
    const { B, Td, Ts } = this.last!;
    return this.engine.read(this.buffers.floats("alpha", B * Td * Ts), B * Td * Ts);
  }

  /**
   * @internal From ∂h̃ [Td, B, Hd]: accumulates parameter gradients and returns ∂dec [Td, B, Hd]
   * and ∂enc [Ts, B, He] (the layer's buffers, overwritten).
   */
  backwardResident(dOut: number): { dDec: number; dEnc: number } {
    const { B, Td, Ts, dec, enc } = this.last!;
    const core = this.engine.core, pool = this.buffers, p = this.params, eng = this.engine;
    const Hd = this.querySize, He = this.valueSize, A = this.attentionSize, rows = Td * B;
    const work = eng.scratch(core.gemmWorkspaceBytes());
    const out = pool.floats("out", rows * Hd), joined = pool.floats("joined", rows * (He + Hd)), alpha = pool.floats("alpha", B * Td * Ts);
    const dPre = pool.floats("dPre", rows * Hd);
    core.tanhBackward(rows * Hd, out, dOut, dPre);
    const dJoined = pool.floats("dJoined", rows * (He + Hd));
    core.denseBackward(rows, He + Hd, Hd, joined, p.ptr("combine.weight"), dPre, p.gradPtr("combine.weight"), p.gradPtr("combine.bias"), dJoined, work);
    const dCtx = pool.floats("dCtx", rows * He), dDec = pool.floats("dDec", rows * Hd), dEnc = pool.floats("dEnc", Ts * B * He);
    this.engine.copyColumns(rows, He, dJoined, He + Hd, dCtx, He);
    this.engine.copyColumns(rows, Hd, dJoined + He * 4, He + Hd, dDec, Hd);
    eng.fill(dEnc, Ts * B * He);
    const dScores = pool.floats("dScores", B * Td * Ts);
    core.attendContextBackward(B, Td, Ts, He, alpha, enc, dCtx, dScores, dEnc, work);
    core.maskedSoftmaxBackward(B, Td, Ts, alpha, dScores);
    if (this.kind === "additive") {
      const dq = pool.floats("dq", rows * A), dk = pool.floats("dk", Ts * B * A);
      eng.fill(dq, rows * A);
      eng.fill(dk, Ts * B * A);
      core.additiveScoresBackward(B, Td, Ts, A, pool.floats("tanh", B * Td * Ts * A), p.ptr("v"), dScores, dq, dk, p.gradPtr("v"));
      this.addDenseInputGradient(rows, Hd, A, dec, "weight_query", dq, dDec, work);
      this.addDenseInputGradient(Ts * B, He, A, enc, "weight_key", dk, dEnc, work);
    } else if (this.kind === "general") {
      const keys = pool.floats("keys", Ts * B * Hd), dKeys = pool.floats("dKeys", Ts * B * Hd);
      eng.fill(dKeys, Ts * B * Hd);
      core.dotScoresBackward(B, Td, Ts, Hd, dec, keys, dScores, dDec, dKeys, work);
      this.addDenseInputGradient(Ts * B, He, Hd, enc, "weight_a", dKeys, dEnc, work);
    } else {
      core.dotScoresBackward(B, Td, Ts, Hd, dec, enc, dScores, dDec, dEnc, work);
    }
    return { dDec, dEnc };
  }

  /** For y = x Wᵀ (W the parameter `name`): ∂W += ∂yᵀ x and ∂x += ∂y W. */
  private addDenseInputGradient(rows: number, inputs: number, outputs: number, x: number, name: string, dy: number, dx: number, work: number): void {
    const core = this.engine.core;
    const tmp = this.buffers.floats(`d_${name}`, rows * inputs);
    core.denseBackward(rows, inputs, outputs, x, this.params.ptr(name), dy, this.params.gradPtr(name), 0, tmp, work);
    this.engine.addColumns(rows, inputs, tmp, inputs, dx, inputs);
  }
}
