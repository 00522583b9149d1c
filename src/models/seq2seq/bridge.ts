// The bridge from the encoder's final states [L·D, B, H] to the decoder's initial states [L, B, H]: as they
// are for one direction; for two, per layer h0 = tanh(bridge.h [h_fwd; h_bwd]), c0 = bridge.c [c_fwd; c_bwd].
// Forward beside backward; the Dense layers are the model's (in its state dict), the buffers its pool's.

import type { Engine } from "../../engine/engine.js";
import type { BufferPool } from "../../layers/buffer-pool.js";
import type { Dense } from "../../layers/dense.js";

/** joined [B, D·H] = the D direction states [D, B, H] of one layer side by side. */
export function joinDirections(engine: Engine, states: number, D: number, B: number, H: number, joined: number): void {
  for (let d = 0; d < D; d++) engine.copyColumns(B, H, states + d * B * H * 4, H, joined + d * H * 4, D * H);
}

/** The gradient of joinDirections: ∂states [D, B, H] = (with `accumulate`, +=) the column blocks of ∂joined [B, D·H]. */
export function joinDirectionsBackward(engine: Engine, dJoined: number, D: number, B: number, H: number, dStates: number, accumulate: boolean): void {
  const move = (accumulate ? engine.addColumns : engine.copyColumns).bind(engine);
  for (let d = 0; d < D; d++) move(B, H, dJoined + d * H * 4, D * H, dStates + d * B * H * 4, H);
}

/** @internal */
export class Bridge {
  /** `h`, `c`: a bidirectional encoder's bridge layers (c null without cell states); null for one direction. */
  constructor(private readonly engine: Engine, private readonly pool: BufferPool, private readonly h: Dense | null, private readonly c: Dense | null,
              private readonly numLayers: number, private readonly hiddenSize: number) {}

  /** Decoder initial states h0, c0 [L, B, H] from the encoder's final states hN, cN [L·D, B, H] (0 = none). */
  forward(hN: number, cN: number, B: number): { h0: number; c0: number } {
    if (!this.h) return { h0: hN, c0: cN };
    const h0 = this.joinedForward(this.h, hN, "bridgeH", B);
    this.engine.core.tanhForward(this.numLayers * B * this.hiddenSize, h0, h0);
    return { h0, c0: this.c ? this.joinedForward(this.c, cN, "bridgeC", B) : 0 };
  }

  /** ∂hN, ∂cN [L·D, B, H] from ∂h0, ∂c0 [L, B, H]; `h0` is what forward returned (the tanh output). */
  backward(gradH0: number, gradC0: number, h0: number, B: number): { gradHN: number; gradCN: number } {
    if (!this.h) return { gradHN: gradH0, gradCN: gradC0 };
    const n = this.numLayers * B * this.hiddenSize;
    const gradPre = this.pool.floats("bridgeHGrad", n);
    this.engine.core.tanhBackward(n, h0, gradH0, gradPre);
    return { gradHN: this.joinedBackward(this.h, gradPre, "bridgeH", B), gradCN: this.c ? this.joinedBackward(this.c, gradC0, "bridgeC", B) : 0 };
  }

  /** Per layer, [fwd; bwd] [B, 2H] through `layer`: [L, B, H] (the layer's buffer). */
  private joinedForward(layer: Dense, states: number, name: string, B: number): number {
    const L = this.numLayers, H = this.hiddenSize;
    const joined = this.pool.floats(`${name}In`, L * B * 2 * H);
    for (let l = 0; l < L; l++) joinDirections(this.engine, states + l * 2 * B * H * 4, 2, B, H, joined + l * B * 2 * H * 4);
    return layer.forwardResident(joined, L * B);
  }

  /** The gradient of joinedForward: ∂[L, B, H] → ∂ final states [L·2, B, H]. */
  private joinedBackward(layer: Dense, gradOut: number, name: string, B: number): number {
    const L = this.numLayers, H = this.hiddenSize;
    const dJoined = layer.backwardResident(gradOut, true);
    const dStates = this.pool.floats(`${name}StatesGrad`, L * 2 * B * H);
    for (let l = 0; l < L; l++) joinDirectionsBackward(this.engine, dJoined + l * B * 2 * H * 4, 2, B, H, dStates + l * 2 * B * H * 4, false);
    return dStates;
  }
}
