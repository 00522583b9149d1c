// Naive reference of brain.js 1.6.1's recurrent nets (assembly/brain.ts, wasm-rnn/brain), written the
// way brain.js itself computes: a graph of matrix ops per step (its Equation), each op's forward run
// as it is added and its backward run in reverse (its backpropagate), on Float32Array weights and
// deltas (float64 arithmetic, float32 stores), with brain.js's ops as they are — add, relu, sigmoid,
// tanh, multiplyElement and rowPluck backward ASSIGN deltas, multiply backward adds, multiply forward
// zeroes both operands' deltas, cloneNegative and allOnes have no backward. brain.js's quirks (a bias
// learns from step 0, an input row from its first use, the GRU's dropped terms) then follow from the
// ops, not from a derivation: the oracle the fused kernel is checked against. No wasm.
// Also brain.js's update (adjustWeights), softmax, maxI and sampleI.

export type CellName = "RNN" | "LSTM" | "GRU";

/** A net: its cell, input rows (0: time-step net), sizes, and its matrices in brain.js's allMatrices order. */
export interface ReferenceNet {
  cell: CellName;
  inputRows: number;
  inputSize: number;
  outputSize: number;
  hiddenLayers: number[];
  weights: Float32Array[];
  deltas: Float32Array[];
}

/** Matrices per hidden layer: RNN W U b; LSTM i f o g; GRU z r n, each W U b. */
export const GATES: Readonly<Record<CellName, number>> = { RNN: 1, LSTM: 4, GRU: 3 };

interface Mat {
  rows: number;
  columns: number;
  weights: Float32Array | Float64Array;
  deltas: Float32Array;
}

function mat(rows: number, columns: number, weights: Float32Array | Float64Array = new Float32Array(rows * columns)): Mat {
  return { rows, columns, weights, deltas: new Float32Array(rows * columns) };
}

/** brain.js's Equation: ops run forward as they are added; backward runs them in reverse. */
class Equation {
  private readonly backwards: (() => void)[] = [];

  private op(product: Mat, forward: () => void, backward?: () => void): Mat {
    forward();
    if (backward) this.backwards.push(backward);
    return product;
  }

  backpropagate(): void {
    for (let i = this.backwards.length - 1; i >= 0; i--) this.backwards[i]();
  }

  multiply(left: Mat, right: Mat): Mat {
    const p = mat(left.rows, right.columns);
    return this.op(p, () => {
      for (let r = 0; r < left.rows; r++) {
        for (let c = 0; c < right.columns; c++) {
          let dot = 0;
          for (let k = 0; k < left.columns; k++) {
            dot += left.weights[r * left.columns + k] * right.weights[k * right.columns + c];
            left.deltas[r * left.columns + k] = 0;
            right.deltas[k * right.columns + c] = 0;
          }
          p.weights[r * right.columns + c] = dot;
        }
      }
    }, () => {
      for (let r = 0; r < left.rows; r++) {
        for (let c = 0; c < right.columns; c++) {
          for (let k = 0; k < left.columns; k++) {
            const d = p.deltas[r * right.columns + c];
            left.deltas[r * left.columns + k] += right.weights[k * right.columns + c] * d;
            right.deltas[k * right.columns + c] += left.weights[r * left.columns + k] * d;
          }
        }
      }
    });
  }

  add(left: Mat, right: Mat): Mat {
    const p = mat(left.rows, left.columns);
    return this.op(p, () => {
      for (let i = 0; i < p.weights.length; i++) p.weights[i] = left.weights[i] + right.weights[i];
    }, () => {
      for (let i = 0; i < p.deltas.length; i++) {
        left.deltas[i] = p.deltas[i];
        right.deltas[i] = p.deltas[i];
      }
    });
  }

  multiplyElement(left: Mat, right: Mat): Mat {
    const p = mat(left.rows, left.columns);
    return this.op(p, () => {
      for (let i = 0; i < p.weights.length; i++) p.weights[i] = left.weights[i] * right.weights[i];
    }, () => {
      for (let i = 0; i < p.deltas.length; i++) {
        left.deltas[i] = right.weights[i] * p.deltas[i];
        right.deltas[i] = left.weights[i] * p.deltas[i];
      }
    });
  }

  relu(m: Mat): Mat {
    const p = mat(m.rows, m.columns);
    return this.op(p, () => {
      for (let i = 0; i < p.weights.length; i++) p.weights[i] = Math.max(0, m.weights[i]);
    }, () => {
      for (let i = 0; i < p.deltas.length; i++) m.deltas[i] = m.weights[i] > 0 ? p.deltas[i] : 0;
    });
  }

  sigmoid(m: Mat): Mat {
    const p = mat(m.rows, m.columns);
    return this.op(p, () => {
      for (let i = 0; i < p.weights.length; i++) p.weights[i] = 1 / (1 + Math.exp(-m.weights[i]));
    }, () => {
      for (let i = 0; i < p.deltas.length; i++) m.deltas[i] = p.weights[i] * (1 - p.weights[i]) * p.deltas[i];
    });
  }

  tanh(m: Mat): Mat {
    const p = mat(m.rows, m.columns);
    return this.op(p, () => {
      for (let i = 0; i < p.weights.length; i++) p.weights[i] = Math.tanh(m.weights[i]);
    }, () => {
      for (let i = 0; i < p.deltas.length; i++) m.deltas[i] = (1 - p.weights[i] * p.weights[i]) * p.deltas[i];
    });
  }

  /** allOnes and cloneNegative: forward only (no backward in brain.js). */
  allOnes(rows: number, columns: number): Mat {
    return mat(rows, columns, new Float32Array(rows * columns).fill(1));
  }

  cloneNegative(m: Mat): Mat {
    return mat(m.rows, m.columns, Float32Array.from(m.weights, (v) => -v));
  }

  rowPluck(m: Mat, row: number): Mat {
    const p = mat(m.columns, 1);
    return this.op(p, () => {
      for (let c = 0; c < m.columns; c++) p.weights[c] = m.weights[row * m.columns + c];
    }, () => {
      for (let c = 0; c < m.columns; c++) m.deltas[row * m.columns + c] = p.deltas[c];
    });
  }
}

/** The net's matrices as brain.js's Mats (sharing the net's weights and deltas). */
function matrices(net: ReferenceNet) {
  const G = GATES[net.cell];
  let k = 0;
  const next = (rows: number, columns: number): Mat => ({ rows, columns, weights: net.weights[k], deltas: net.deltas[k++] });
  const input = net.inputRows ? next(net.inputRows, net.inputSize) : null;
  const layers = net.hiddenLayers.map((H, l) => {
    const I = l === 0 ? net.inputSize : net.hiddenLayers[l - 1];
    return Array.from({ length: G }, () => ({ W: next(H, I), U: next(H, H), b: next(H, 1) }));
  });
  const last = net.hiddenLayers[net.hiddenLayers.length - 1];
  return { input, layers, outputConnector: next(net.outputSize, last), output: next(net.outputSize, 1) };
}

type Gate = { W: Mat; U: Mat; b: Mat };

/** brain.js's getEquation of each cell (rnn.js, lstm.js, gru.js). */
function cellEquation(e: Equation, cell: CellName, x: Mat, h: Mat, g: Gate[]): Mat {
  const affine = (k: number, v: Mat) => e.add(e.add(e.multiply(g[k].W, x), e.multiply(g[k].U, v)), g[k].b);
  if (cell === "RNN") return e.relu(affine(0, h));
  if (cell === "LSTM") {
    const i = e.sigmoid(affine(0, h)), f = e.sigmoid(affine(1, h)), o = e.sigmoid(affine(2, h)), c = e.tanh(affine(3, h));
    return e.multiplyElement(o, e.tanh(e.add(e.multiplyElement(f, h), e.multiplyElement(i, c))));
  }
  const z = e.sigmoid(affine(0, h)), r = e.sigmoid(affine(1, h));
  const n = e.tanh(e.add(e.add(e.multiply(g[2].W, x), e.multiply(g[2].U, e.multiplyElement(r, h))), g[2].b));
  return e.add(e.multiplyElement(e.add(e.allOnes(z.rows, z.columns), e.cloneNegative(z)), n), e.multiplyElement(h, z));
}

/** Steps forward from zero states: each step's input is `input(t, previousOutput)`; returns each step's equation and output. */
function unroll(net: ReferenceNet, steps: number, input: (e: Equation, t: number, previous: Mat | null, m: ReturnType<typeof matrices>) => Mat) {
  const m = matrices(net);
  let states = net.hiddenLayers.map((H) => mat(H, 1));
  let previous: Mat | null = null;
  const equations: Equation[] = [], outputs: Mat[] = [];
  for (let t = 0; t < steps; t++) {
    const e = new Equation();
    let v = input(e, t, previous, m);
    states = states.map((h, l) => (v = cellEquation(e, net.cell, v, h, m.layers[l])));
    previous = e.add(e.multiply(m.outputConnector, v), m.output);
    equations.push(e);
    outputs.push(previous);
  }
  return { m, equations, outputs };
}

/** brain.js's softmax (matrix/softmax.js): float32 results. */
export function softmax(logits: ArrayLike<number>): Float32Array {
  const p = new Float32Array(logits.length);
  let max = -999999, sum = 0;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  for (let i = 0; i < logits.length; i++) {
    p[i] = Math.exp(logits[i] - max);
    sum += p[i];
  }
  for (let i = 0; i < p.length; i++) p[i] /= sum;
  return p;
}

/** A character sequence's training (trainInput + backpropagate): rows [T] in, targets [T]; deltas
 *  left in net.deltas; returns Σ −log₂ p(target). */
export function trainCharacters(net: ReferenceNet, rows: ArrayLike<number>, targets: ArrayLike<number>): number {
  const { equations, outputs } = unroll(net, rows.length, (e, t, _, m) => e.rowPluck(m.input!, rows[t]));
  let error = 0;
  outputs.forEach((y, t) => {
    const p = softmax(y.weights);
    y.deltas = p.slice(0);
    y.deltas[targets[t]] -= 1;
    error += -Math.log2(p[targets[t]]);
  });
  for (let t = equations.length - 1; t >= 0; t--) equations[t].backpropagate();
  return error;
}

/** A time-step sequence's training (predictTarget per step + backpropagate): inputs [T, I], targets
 *  [T, O] (float64, as brain.js takes JavaScript numbers); returns Σ_t Σ_k |y − target|. */
export function trainSeries(net: ReferenceNet, inputs: Float64Array, targets: Float64Array, steps: number): number {
  const I = net.inputSize, O = net.outputSize;
  const { equations, outputs } = unroll(net, steps, (_, t) => mat(I, 1, inputs.slice(t * I, (t + 1) * I)));
  let error = 0;
  outputs.forEach((y, t) => {
    let sum = 0;
    for (let k = 0; k < O; k++) {
      const e = y.weights[k] - targets[t * O + k];
      y.deltas[k] = e;
      sum += Math.abs(e);
    }
    error += sum;
  });
  for (let t = equations.length - 1; t >= 0; t--) equations[t].backpropagate();
  return error;
}

/** brain.js's adjustWeights: RMSProp cache (float32), clipping, L2 decay. */
export function adjustWeights(net: ReferenceNet, cache: Float32Array[], s: { learningRate: number; decayRate: number; smoothEps: number; regc: number; clipval: number }): void {
  net.weights.forEach((weights, k) => {
    const deltas = net.deltas[k], c = cache[k];
    for (let i = 0; i < weights.length; i++) {
      let r = deltas[i];
      const w = weights[i];
      c[i] = c[i] * s.decayRate + (1 - s.decayRate) * r * r;
      if (r > s.clipval) r = s.clipval;
      if (r < -s.clipval) r = -s.clipval;
      weights[i] = w + (-s.learningRate * r) / Math.sqrt(c[i] + s.smoothEps) - s.regc * w;
    }
  });
}

/** brain.js's run of a character net: the choices of each step (the last one included), with
 *  `randoms[i]` the draw of step i when sampling. */
export function runCharacters(net: ReferenceNet, given: ArrayLike<number>, limit: number, randoms: number[] | null, temperature: number): number[] {
  const chosen: number[] = [];
  const m = matrices(net);
  let states = net.hiddenLayers.map((H) => mat(H, 1));
  for (let i = 0; ; ) {
    const e = new Equation();
    const row = i === 0 ? 0 : i < given.length ? given[i - 1] : chosen[i - 1];
    let v = e.rowPluck(m.input!, row);
    states = states.map((h, l) => (v = cellEquation(e, net.cell, v, h, m.layers[l])));
    const logits = Float32Array.from(e.add(e.multiply(m.outputConnector, v), m.output).weights);
    if (randoms && temperature !== 1) for (let j = 0; j < logits.length; j++) logits[j] /= temperature;
    const p = softmax(logits);
    let next = 0;
    if (randoms) {
      next = p.length - 1;
      for (let k = 0, x = 0; k < p.length; k++) if ((x += p[k]) > randoms[i]) { next = k; break; }
    } else {
      for (let k = 1; k < p.length; k++) if (!(p[k] < p[next])) next = k;
    }
    chosen.push(next);
    i++;
    if (next === 0 || i >= limit) return chosen;
  }
}

/** brain.js's forecast: `steps` inputs [steps, I] then count − 1 outputs fed back; the outputs from the inputs' last on. */
export function forecast(net: ReferenceNet, inputs: Float64Array, steps: number, count: number): Float32Array[] {
  const I = net.inputSize;
  const total = steps + Math.max(count, 1) - 1;
  const { outputs } = unroll(net, total, (_, t, previous) => (t < steps ? mat(I, 1, inputs.slice(t * I, (t + 1) * I)) : mat(I, 1, Float64Array.from(previous!.weights))));
  return outputs.slice(steps - 1).map((y) => Float32Array.from(y.weights));
}
