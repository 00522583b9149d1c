// Keras Dense, and TimeDistributed(Dense) (the same map applied at every step), on our Dense layer:
// kernel [in, units] transposed to PyTorch's weight [units, in], the activation applied after. The
// mask, if any, passes through unchanged (as Keras's Dense supports masking).

import { Dense } from "../../layers/dense.js";
import { layerTwin } from "../../models/quantize.js";
import type { QuantizableKind } from "../../models/quantized-kinds.js";
import { applyActivation, readActivation, type KerasActivation } from "./activations.js";
import type { JsonReader } from "./json.js";
import { checkFeatures, checkInputCount, checkSymbolic, layerLabel, type KerasLayer, type SymbolicTensor, type Value } from "./layer.js";
import { kernelToWeight } from "./layout.js";
import type { LayerEntry } from "./topology.js";
import type { NamedWeight, WeightStore } from "./weights.js";

class KerasDense implements KerasLayer {
  readonly quantizableKind = "dense";
  private readonly label: string;

  /** `minRank` 2, or 3 for TimeDistributed. */
  constructor(private readonly entry: LayerEntry, private readonly dense: Dense, private readonly activation: KerasActivation, private readonly minRank: number) {
    this.label = layerLabel(entry);
  }

  /** `config` is the Dense config (the wrapped one for TimeDistributed). */
  static fromWeights(entry: LayerEntry, config: JsonReader, weights: WeightStore, minRank: number): KerasDense {
    const label = layerLabel(entry);
    const units = config.int("units", 1);
    const activation = readActivation(config, "activation", "linear");
    const useBias = config.bool("use_bias", true);
    const kernel = weights.take(`${entry.name}/kernel`, [null, units], label);
    const inFeatures = kernel.shape[0];
    const record: Record<string, NamedWeight> = { weight: { shape: [units, inFeatures], data: kernelToWeight(kernel.data, inFeatures, [0], units) } };
    if (useBias) record.bias = weights.take(`${entry.name}/bias`, [units], label);
    const dense = new Dense({ inFeatures, outFeatures: units, bias: useBias });
    try {
      dense.loadStateDict(record);
    } catch (e) {
      dense.dispose();
      throw e;
    }
    return new KerasDense(entry, dense, activation, minRank);
  }

  infer(inputs: readonly SymbolicTensor[]): SymbolicTensor[] {
    checkInputCount(inputs, [1], this.entry);
    const [x] = inputs;
    checkSymbolic(x, -this.minRank, this.dense.inFeatures, this.entry);
    return [{ shape: [...x.shape.slice(0, -1), this.dense.outFeatures], masked: x.masked }];
  }

  call([x]: readonly Value[]): Value[] {
    checkFeatures(x.tensor, this.dense.inFeatures, this.label);
    const y = this.dense.forward(x.tensor);
    applyActivation(this.activation, y.data, this.dense.outFeatures);
    return [{ tensor: y, mask: x.mask }];
  }

  dispose(): void {
    this.dense.dispose();
  }

  quantized(selection: ReadonlySet<QuantizableKind>): KerasLayer {
    return new KerasDense(this.entry, layerTwin(this.dense, selection), this.activation, this.minRank);
  }
}

export function buildDense(entry: LayerEntry, weights: WeightStore): KerasLayer {
  return KerasDense.fromWeights(entry, entry.config, weights, 2);
}

/** TimeDistributed of a Dense layer (other wrapped layers are not supported). Its weights carry the wrapper's name. */
export function buildTimeDistributed(entry: LayerEntry, weights: WeightStore): KerasLayer {
  const inner = entry.config.reader("layer", "wrapped layer");
  const className = inner.string("class_name");
  if (className !== "Dense") throw entry.config.unsupported(`TimeDistributed(${className}) is not supported; wasm-rnn runs TimeDistributed(Dense)`);
  return KerasDense.fromWeights(entry, inner.reader("config", "Dense config"), weights, 3);
}
