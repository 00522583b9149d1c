// Keras masking as a variable-length batch, and its adjoint. In Keras (and tfjs's rnn()) a masked step
// leaves the state as it was and outputs the current h. So each sequence's valid steps, in processing
// order (last to first for go_backwards), are gathered to the front and run with `lengths`; outputs
// are put back at their steps, a masked step getting the h of the last valid step before it (the
// initial h before any). Backward runs the same maps the other way: the gradient of a masked step's
// output goes to the step whose h it repeats, and the input gradient back to the valid steps.
// For the usual prefix mask (padding at the end) the gather moves nothing: it is the lengths of the
// sequences. Pure array moves on batch-first [B, T, F] and time-major [T, B, F] data.

/** Where the valid steps of a batch [B, T] are, and where they go. */
export class MaskedSteps {
  /** Valid steps per sequence (0 for a sequence masked throughout). */
  readonly counts: Int32Array;
  /** `lengths` for the layer: each count, at least 1 (a sequence with no valid step runs one step on
   *  zeros, whose results are replaced); undefined without a mask (every sequence has T steps). */
  readonly lengths: Int32Array | undefined;
  /** For each sequence and processing position p (b·T + p): the gathered step whose output shows
   *  there, or −1 before the first valid step (the initial h shows). */
  private readonly source: Int32Array;

  /** `mask` [B, T] (1 valid, 0 masked; null: all valid); `backwards` processes the steps last to first. */
  constructor(private readonly mask: Uint8Array | null, readonly batch: number, readonly steps: number, private readonly backwards: boolean) {
    const B = batch, T = steps;
    this.counts = new Int32Array(B);
    this.source = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      let seen = 0;
      for (let p = 0; p < T; p++) {
        if (this.valid(b, p)) seen++;
        this.source[b * T + p] = seen - 1;
      }
      this.counts[b] = seen;
    }
    this.lengths = mask ? this.counts.map((n) => Math.max(n, 1)) : undefined;
  }

  /** Whether the step at processing position p of sequence b is valid. */
  private valid(b: number, p: number): boolean {
    return this.mask === null || this.mask[b * this.steps + this.time(p)] !== 0;
  }

  /** The time step at processing position p. */
  private time(p: number): number {
    return this.backwards ? this.steps - 1 - p : p;
  }

  /** Calls visit(k, t) for the k-th valid step of sequence b, which is time step t. */
  private forValid(b: number, visit: (k: number, t: number) => void): void {
    let k = 0;
    for (let p = 0; p < this.steps; p++) if (this.valid(b, p)) visit(k++, this.time(p));
  }

  // ---- forward ----------------------------------------------------------------------------------

  /** The layer's input: x [B, T, F] → time-major [T, B, F], valid steps first in processing order. */
  gatherInputs(x: Float32Array, F: number): Float32Array {
    const B = this.batch, T = this.steps;
    const out = new Float32Array(T * B * F);
    for (let b = 0; b < B; b++) this.forValid(b, (k, t) => out.set(x.subarray((b * T + t) * F, (b * T + t + 1) * F), (k * B + b) * F));
    return out;
  }

  /** The outputs in processing order: the layer's time-major y [T, B, H] → [B, T, H], masked steps
   *  repeating the last valid output (or `initial` [B, H], zeros when null, before any). */
  scatterOutputs(y: Float32Array, H: number, initial: Float32Array | null): Float32Array {
    const B = this.batch, T = this.steps;
    const out = new Float32Array(B * T * H);
    for (let b = 0; b < B; b++) {
      for (let p = 0; p < T; p++) {
        const k = this.source[b * T + p], at = (b * T + p) * H;
        if (k >= 0) out.set(y.subarray((k * B + b) * H, (k * B + b + 1) * H), at);
        else if (initial) out.set(initial.subarray(b * H, (b + 1) * H), at);
      }
    }
    return out;
  }

  /** Final states [B, H] in place: a sequence masked throughout keeps its initial state (zeros when null). */
  keepInitialStates(states: Float32Array, H: number, initial: Float32Array | null): void {
    for (let b = 0; b < this.batch; b++) {
      if (this.counts[b] === 0) states.set(initial?.subarray(b * H, (b + 1) * H) ?? new Float32Array(H), b * H);
    }
  }

  // ---- backward ---------------------------------------------------------------------------------

  /** The adjoint of scatterOutputs: ∂L/∂outputs [B, T, H] → the layer's time-major [T, B, H], each
   *  valid output summing the gradients of the steps that repeat it; those before any valid step are
   *  added to `gradInitial` [B, H]. */
  gatherOutputGradients(gradOutputs: Float32Array, H: number, gradInitial: Float32Array): Float32Array {
    const B = this.batch, T = this.steps;
    const out = new Float32Array(T * B * H);
    for (let b = 0; b < B; b++) {
      for (let p = 0; p < T; p++) {
        const k = this.source[b * T + p], from = (b * T + p) * H;
        const to = k >= 0 ? (k * B + b) * H : b * H, into = k >= 0 ? out : gradInitial;
        for (let j = 0; j < H; j++) into[to + j] += gradOutputs[from + j];
      }
    }
    return out;
  }

  /** The adjoint of keepInitialStates: ∂L/∂(final states) [B, H] → the layer's (zero for a sequence
   *  masked throughout, whose gradient goes to `gradInitial` [B, H] instead). */
  splitStateGradients(gradStates: Float32Array, H: number, gradInitial: Float32Array): Float32Array {
    const out = gradStates.slice();
    for (let b = 0; b < this.batch; b++) {
      if (this.counts[b] !== 0) continue;
      for (let j = 0; j < H; j++) gradInitial[b * H + j] += gradStates[b * H + j];
      out.fill(0, b * H, (b + 1) * H);
    }
    return out;
  }

  /** The adjoint of gatherInputs: the layer's time-major ∂L/∂input [T, B, F] → [B, T, F], zero at masked steps. */
  scatterInputGradients(gradGathered: Float32Array, F: number): Float32Array {
    const B = this.batch, T = this.steps;
    const out = new Float32Array(B * T * F);
    for (let b = 0; b < B; b++) this.forValid(b, (k, t) => out.set(gradGathered.subarray((k * B + b) * F, (k * B + b + 1) * F), (b * T + t) * F));
    return out;
  }
}
