// The every-step context (Seq2Seq context "every-step", Cho et al. 2014): C [B, He], the encoder's top-layer
// final states, joins the previous token's embedding in the decoder input at every step, x_t = [emb_t; C],
// and in the output layer's input, [h̃_t; emb_t; C]. Forward beside backward per junction; no parameters.

import type { Engine } from "../../engine/engine.js";
import type { BufferPool } from "../../layers/buffer-pool.js";
import { joinDirections, joinDirectionsBackward } from "./bridge.js";

/**
 * @internal Backward runs in the reverse order of forward — headInputBackward, decoderInputBackward,
 * contextBackward — and ∂emb and ∂C accumulate in this module's buffers (the model's pool) between them.
 */
export class EveryStepContext {
  /** Sizes: decoder hidden H, layers L, encoder directions D and output size He = D·H, embedding E. */
  constructor(private readonly engine: Engine, private readonly pool: BufferPool, private readonly sizes: { H: number; L: number; D: number; He: number; E: number }) {}

  /** C [B, He]: the top layer's final states of hN [L·D, B, H], directions side by side. */
  contextForward(hN: number, B: number): number {
    const { H, D, He } = this.sizes;
    const context = this.pool.floats("context", B * He);
    joinDirections(this.engine, hN + this.topLayer(B), D, B, H, context);
    return context;
  }

  /** ∂hN [L·D, B, H] with the accumulated ∂C added at the top layer (a buffer of its own). */
  contextBackward(gradHN: number, B: number): number {
    const { H, L, D } = this.sizes;
    const grad = this.pool.floats("gradHN", L * D * B * H);
    this.engine.copy(grad, gradHN, L * D * B * H);
    joinDirectionsBackward(this.engine, this.gradContext(B), D, B, H, grad + this.topLayer(B), true);
    return grad;
  }

  /** The decoder input x [T·B, E + He] = [emb_t; C] from embeddings emb [T·B, E] and C [B, He]. */
  decoderInputForward(emb: number, context: number, T: number, B: number): number {
    const { E, He } = this.sizes;
    const x = this.pool.floats("decoderInput", T * B * (E + He));
    this.engine.copyColumns(T * B, E, emb, E, x, E + He);
    this.engine.core.broadcastSteps(T, B, He, context, x + E * 4, E + He);
    return x;
  }

  /** From ∂x: returns ∂emb [T·B, E] (the head's share added) and adds Σ_t ∂x_t's C columns to ∂C. */
  decoderInputBackward(dX: number, T: number, B: number): number {
    const { E, He } = this.sizes;
    const dEmb = this.gradEmbedding(T * B);
    this.engine.addColumns(T * B, E, dX, E + He, dEmb, E);
    this.engine.core.sumSteps(T, B, He, dX + E * 4, E + He, this.gradContext(B));
    return dEmb;
  }

  /** The output layer's input [T·B, H + E + He] = [h̃_t; x_t] from the decoder's (attended) output h̃ [T·B, H] and x. */
  headInputForward(top: number, x: number, rows: number): number {
    const { H, E, He } = this.sizes;
    const F = H + E + He;
    const headInput = this.pool.floats("headInput", rows * F);
    this.engine.copyColumns(rows, H, top, H, headInput, F);
    this.engine.copyColumns(rows, E + He, x, E + He, headInput + H * 4, F);
    return headInput;
  }

  /** From ∂(head input): returns ∂h̃ [T·B, H]; starts ∂emb with its emb columns and ∂C with Σ_t of its C columns. */
  headInputBackward(dHeadInput: number, T: number, B: number): number {
    const { H, E, He } = this.sizes;
    const rows = T * B, F = H + E + He;
    const dTop = this.pool.floats("dTop", rows * H);
    this.engine.copyColumns(rows, H, dHeadInput, F, dTop, H);
    this.engine.copyColumns(rows, E, dHeadInput + H * 4, F, this.gradEmbedding(rows), E);
    const dContext = this.gradContext(B);
    this.engine.fill(dContext, B * He);
    this.engine.core.sumSteps(T, B, He, dHeadInput + (H + E) * 4, F, dContext);
    return dTop;
  }

  /** ∂C [B, He], accumulated by the backwards from headInputBackward on. */
  private gradContext(B: number): number {
    return this.pool.floats("dContext", B * this.sizes.He);
  }

  /** ∂emb [T·B, E], started by headInputBackward and completed by decoderInputBackward. */
  private gradEmbedding(rows: number): number {
    return this.pool.floats("dEmb", rows * this.sizes.E);
  }

  /** Byte offset of the top layer's states in [L·D, B, H]. */
  private topLayer(B: number): number {
    const { H, L, D } = this.sizes;
    return (L - 1) * D * B * H * 4;
  }
}
