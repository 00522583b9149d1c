// ONNX LSTM, GRU and RNN nodes run by our recurrent layers: one single-layer layer per node, built
// from converted weights with loadStateDict — at create time when W, R, B and P are initializers or
// constants, else at the first run, and rebuilt only when their contents change. Handles layout 1,
// direction "reverse" (each sequence reversed within its length around a forward layer),
// sequence_lens (a length of 0 gives zero outputs and states, as onnxruntime's), initial states and
// the outputs Y [T, D, B, H], Y_h and Y_c.

import { ShapeError } from "../../../errors.js";
import { GRU } from "../../../layers/gru.js";
import { LSTM } from "../../../layers/lstm.js";
import { CELLS, type CellKind } from "../../../engine/cells.js";
import type { Recurrent } from "../../../layers/recurrent.js";
import { RNN } from "../../../layers/rnn.js";
import { tensor } from "../../../tensor.js";
import { OnnxTensor } from "../tensor.js";
import { transpose } from "./elements.js";
import type { BuildContext, Kernel, OpSpec, Value } from "./kernel.js";
import { recurrentConfig, type RecurrentConfig } from "./recurrent-attributes.js";
import { stateDictFromOnnx, type OnnxRecurrentWeights } from "./recurrent-weights.js";
import { floatInput, intValues } from "./values.js";

const INPUTS: Record<CellKind, number> = { lstm: 8, gru: 6, rnn: 6 };

/** A copy of [T, B, F] with each sequence's first lengths[b] steps in reverse order (the rest as they were). */
function reverseWithin(data: Float32Array, T: number, B: number, F: number, lengths: readonly number[] | undefined): Float32Array {
  const out = new Float32Array(data);
  for (let b = 0; b < B; b++) {
    const L = lengths ? lengths[b] : T;
    for (let t = 0; t < L; t++) out.set(data.subarray(((L - 1 - t) * B + b) * F, ((L - 1 - t) * B + b + 1) * F), (t * B + b) * F);
  }
  return out;
}

/** Zeroes sequence b of [outer, B, F]. */
function zeroSequence(data: Float32Array, outer: number, B: number, F: number, b: number): void {
  for (let o = 0; o < outer; o++) data.fill(0, (o * B + b) * F, (o * B + b + 1) * F);
}

class RecurrentKernel implements Kernel {
  private layer: Recurrent | null = null;
  /** The W, R, B, P data the layer was built from: the constants themselves, or copies of fed tensors (which their owner may change). */
  private source: (Float32Array | null)[] = [];

  constructor(private readonly config: RecurrentConfig, private readonly where: string) {}

  run(inputs: readonly Value[]): Value[] {
    const { config, where } = this;
    const x = floatInput(inputs, 0, where);
    if (x.dims.length !== 3) throw new ShapeError(`${where}: X must have rank 3; got [${x.dims.join(", ")}]`);
    const weights = this.weightsOf(inputs);
    const layer = this.layerFor(weights);
    const D = config.directions, H = layer.hiddenSize;
    const [T, B, I] = config.batchMajor ? [x.dims[1], x.dims[0], x.dims[2]] : x.dims;
    if (I !== layer.inputSize) throw new ShapeError(`${where}: X has ${I} features but W expects ${layer.inputSize}`);
    const lengths = inputs[4] ? this.lengthsOf(inputs[4], T, B) : undefined;
    // Everything below is time-major [T, B, …] and states [D, B, H], as our layers take them.
    let xs = config.batchMajor ? transpose(x, [1, 0, 2], where).data : x.data;
    if (config.reverse) xs = reverseWithin(xs, T, B, I, lengths);
    const state = (i: number, name: string) => {
      const s = inputs[i] ? floatInput(inputs, i, where) : null;
      if (!s) return undefined;
      const dims = config.batchMajor ? [B, D, H] : [D, B, H];
      if (s.dims.length !== 3 || s.dims.some((d, k) => d !== dims[k])) throw new ShapeError(`${where}: ${name} must have shape [${dims.join(", ")}]; got [${s.dims.join(", ")}]`);
      return tensor(config.batchMajor ? transpose(s, [1, 0, 2], where).data : s.data, [D, B, H]);
    };
    // Our layers run at least one step per sequence: empty ones run one, then their results are zeroed.
    const result = layer.forward(tensor(xs, [T, B, I]), {
      h0: state(5, "initial_h"), c0: config.kind === "lstm" ? state(6, "initial_c") : undefined, lengths: lengths?.map((L) => Math.max(1, L)),
    });
    const out = config.reverse ? reverseWithin(result.output.data, T, B, D * H, lengths) : result.output.data;
    lengths?.forEach((L, b) => {
      if (L > 0) return;
      zeroSequence(out, T, B, D * H, b);
      zeroSequence(result.hN.data, D, B, H, b);
      if (result.cN) zeroSequence(result.cN.data, D, B, H, b);
    });
    // out is [T, B, D, H]; Y is [T, D, B, H] (layout 0) or [B, T, D, H] (layout 1).
    const y = transpose(new OnnxTensor(out, [T, B, D, H]), config.batchMajor ? [1, 0, 2, 3] : [0, 2, 1, 3], where);
    const final = (s: Float32Array) => {
      const t = new OnnxTensor(s, [D, B, H]);
      return config.batchMajor ? transpose(t, [1, 0, 2], where) : t;
    };
    return [y, final(result.hN.data), result.cN ? final(result.cN.data) : null];
  }

  dispose(): void {
    this.layer?.dispose();
    this.layer = null;
  }

  /** Builds the layer now from weights known at create time. */
  prebuild(weights: OnnxRecurrentWeights): void {
    this.layerFor(weights, true);
  }

  /** W, R and the optional B and P, shape-checked. */
  weightsOf(inputs: readonly Value[]): OnnxRecurrentWeights {
    const { config, where } = this;
    const W = floatInput(inputs, 1, where), R = floatInput(inputs, 2, where);
    const B = inputs[3] ? floatInput(inputs, 3, where) : null, P = config.kind === "lstm" && inputs[7] ? floatInput(inputs, 7, where) : null;
    const D = config.directions, G = CELLS[config.kind].gates;
    const H = config.hiddenSize ?? R.dims[2];
    const check = (t: OnnxTensor, name: string, dims: number[]) => {
      if (t.dims.length !== dims.length || t.dims.some((d, k) => d !== dims[k])) {
        throw new ShapeError(`${where}: ${name} must have shape [${dims.join(", ")}] (directions ${D}, hidden size ${H}); got [${t.dims.join(", ")}]`);
      }
    };
    check(W, "W", [D, G * H, W.dims[2]]);
    if (!(W.dims[2] > 0)) throw new ShapeError(`${where}: W must have a positive input size; got [${W.dims.join(", ")}]`);
    check(R, "R", [D, G * H, H]);
    if (B) check(B, "B", [D, 2 * G * H]);
    if (P) check(P, "P", [D, 3 * H]);
    return { W, R, B, P };
  }

  private layerFor(weights: OnnxRecurrentWeights, constant = false): Recurrent {
    const given = [weights.W.data, weights.R.data, weights.B?.data ?? null, weights.P?.data ?? null];
    const same = (a: Float32Array | null, b: Float32Array | null) => a === b || (a !== null && b !== null && a.length === b.length && a.every((v, i) => Object.is(v, b[i])));
    if (this.layer && given.every((g, i) => same(g, this.source[i]))) return this.layer;
    const { config } = this;
    const hiddenSize = weights.R.dims[2], inputSize = weights.W.dims[2];
    const options = { inputSize, hiddenSize, bidirectional: config.directions === 2, cellOptions: config.cellOptions };
    const layer =
      config.kind === "lstm" ? new LSTM({ ...options, peepholes: weights.P !== null })
      : config.kind === "gru" ? new GRU({ ...options, resetAfter: config.resetAfter })
      : new RNN({ ...options, nonlinearity: config.relu ? "relu" : "tanh" });
    try {
      layer.loadStateDict(stateDictFromOnnx(config.kind, config.directions, hiddenSize, weights));
    } catch (e) {
      layer.dispose();
      throw e;
    }
    this.dispose();
    this.layer = layer;
    this.source = constant ? given : given.map((g) => g && g.slice());
    return layer;
  }

  private lengthsOf(t: OnnxTensor, T: number, B: number): number[] {
    const where = this.where;
    const lengths = intValues(t, `${where}: sequence_lens`);
    if (t.dims.length !== 1 || lengths.length !== B) throw new ShapeError(`${where}: sequence_lens must have shape [${B}]; got [${t.dims.join(", ")}]`);
    lengths.forEach((L, b) => {
      if (L < 0 || L > T) throw new ShapeError(`${where}: sequence_lens[${b}] = ${L} is outside 0…${T}`);
    });
    return lengths;
  }
}

function recurrent(kind: CellKind): OpSpec {
  return {
    inputs: [3, INPUTS[kind]],
    outputs: kind === "lstm" ? 3 : 2,
    foldable: false,
    build: ({ where, attrs, known }: BuildContext): Kernel => {
      const kernel = new RecurrentKernel(recurrentConfig(kind, attrs), where);
      const weightInputs = kind === "lstm" ? [1, 2, 3, 7] : [1, 2, 3];
      if (weightInputs.every((i) => known(i) !== undefined)) kernel.prebuild(kernel.weightsOf(Array.from({ length: 8 }, (_, i) => known(i) ?? null)));
      return kernel;
    },
  };
}

export const RECURRENT_OPS: Record<string, OpSpec> = { LSTM: recurrent("lstm"), GRU: recurrent("gru"), RNN: recurrent("rnn") };
