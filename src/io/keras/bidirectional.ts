// Keras Bidirectional around an LSTM, GRU or SimpleRNN: a forward and a backward direction (weights
// "<name>/forward_<inner>/…" and "<name>/backward_<inner>/…"), the backward outputs turned back to
// time order, merged by concat, sum, mul or ave — or, with merge_mode null, returned as two outputs.
// With return_state the forward states come first, then the backward ones (as Keras).

import type { QuantizableKind } from "../../models/quantized-kinds.js";
import { Tensor } from "../../tensor.js";
import { joinAlong } from "./concatenate.js";
import { checkRecurrentInputs, inferRecurrentInputs, readRecurrentConfig, RecurrentDirection, stateCount, type RecurrentConfig } from "./recurrent.js";
import { layerLabel, type KerasLayer, type SymbolicTensor, type Value } from "./layer.js";
import type { LayerEntry } from "./topology.js";
import type { WeightStore } from "./weights.js";

type MergeMode = "concat" | "sum" | "mul" | "ave" | null;

const MERGE: Record<Exclude<MergeMode, "concat" | null>, (a: number, b: number) => number> = {
  sum: (a, b) => a + b,
  mul: (a, b) => a * b,
  ave: (a, b) => 0.5 * (a + b),
};

/** The second direction made after the first, which is disposed if that fails. */
function pair(first: RecurrentDirection, makeSecond: () => RecurrentDirection): [RecurrentDirection, RecurrentDirection] {
  try {
    return [first, makeSecond()];
  } catch (e) {
    first.dispose();
    throw e;
  }
}

class KerasBidirectional implements KerasLayer {
  private readonly label: string;

  constructor(
    private readonly entry: LayerEntry,
    private readonly config: RecurrentConfig,
    private readonly mergeMode: MergeMode,
    private readonly forward: RecurrentDirection,
    private readonly backward: RecurrentDirection,
  ) {
    this.label = layerLabel(entry);
  }

  static fromWeights(entry: LayerEntry, weights: WeightStore): KerasBidirectional {
    const outer = entry.config;
    const label = layerLabel(entry);
    const mode = outer.get("merge_mode") === undefined ? "concat" : outer.get("merge_mode");
    if (mode !== null && mode !== "concat" && mode !== "sum" && mode !== "mul" && mode !== "ave") throw outer.invalid("merge_mode", '"concat", "sum", "mul", "ave" or null');
    if (outer.get("backward_layer") != null) throw outer.unsupported("a separate backward_layer is not supported");
    const wrapped = outer.reader("layer", "wrapped layer");
    const inner = wrapped.reader("config", `${wrapped.string("class_name")} config`);
    const config = readRecurrentConfig(wrapped.string("class_name"), inner);
    const innerName = inner.string("name");
    const [forward, backward] = pair(
      RecurrentDirection.fromWeights(config, config.goBackwards, weights, `${entry.name}/forward_${innerName}`, label),
      () => RecurrentDirection.fromWeights(config, !config.goBackwards, weights, `${entry.name}/backward_${innerName}`, label),
    );
    return new KerasBidirectional(entry, config, mode, forward, backward);
  }

  infer(inputs: readonly SymbolicTensor[]): SymbolicTensor[] {
    const { returnSequences, returnState, units } = this.config;
    const S = stateCount(this.config);
    inferRecurrentInputs(inputs, 2 * S, this.forward, this.entry);
    const [batch, steps] = inputs[0].shape;
    const masked = returnSequences && inputs[0].masked;
    const width = this.mergeMode === "concat" ? 2 * units : units;
    const output = () => ({ shape: returnSequences ? [batch, steps, width] : [batch, width], masked });
    const outputs = this.mergeMode === null ? [output(), output()] : [output()];
    const states = returnState ? Array.from({ length: 2 * S }, () => ({ shape: [batch, units], masked: false })) : [];
    return [...outputs, ...states];
  }

  call(inputs: readonly Value[]): Value[] {
    checkRecurrentInputs(inputs, this.forward, this.label);
    const [x, ...initial] = inputs;
    const S = stateCount(this.config), seq = this.config.returnSequences;
    const fw = this.forward.run(x.tensor, x.mask, initial.slice(0, S).map((v) => v.tensor), seq);
    const bw = this.backward.run(x.tensor, x.mask, initial.slice(S).map((v) => v.tensor), seq);
    const y = fw.sequences ?? fw.states[0];
    const yRev = bw.sequences ? reverseTime(bw.sequences) : bw.states[0];
    const mask = seq ? x.mask : null;
    const merged = this.mergeMode === null ? [y, yRev] : [this.merge(y, yRev)];
    const states = this.config.returnState ? [...fw.states, ...bw.states] : [];
    return [...merged.map((tensor) => ({ tensor, mask })), ...states.map((tensor) => ({ tensor, mask: null }))];
  }

  private merge(a: Tensor, b: Tensor): Tensor {
    if (this.mergeMode === "concat") return joinAlong([a, b], a.shape.length - 1);
    const f = MERGE[this.mergeMode!];
    return new Tensor(a.data.map((v, i) => f(v, b.data[i])), [...a.shape]);
  }

  dispose(): void {
    this.forward.dispose();
    this.backward.dispose();
  }

  /** The kind of the layer it wraps. */
  get quantizableKind(): QuantizableKind {
    return this.forward.quantizableKind;
  }

  quantized(selection: ReadonlySet<QuantizableKind>): KerasLayer {
    const [forward, backward] = pair(this.forward.quantized(selection), () => this.backward.quantized(selection));
    return new KerasBidirectional(this.entry, this.config, this.mergeMode, forward, backward);
  }
}

/** [B, T, H] with the steps of each sequence in reverse order. */
function reverseTime(t: Tensor): Tensor {
  const [B, T, H] = t.shape;
  const out = new Float32Array(t.data.length);
  for (let b = 0; b < B; b++) for (let s = 0; s < T; s++) out.set(t.data.subarray((b * T + s) * H, (b * T + s + 1) * H), (b * T + (T - 1 - s)) * H);
  return new Tensor(out, [B, T, H]);
}

export function buildBidirectional(entry: LayerEntry, weights: WeightStore): KerasLayer {
  return KerasBidirectional.fromWeights(entry, weights);
}
