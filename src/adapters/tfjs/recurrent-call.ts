// One call of a tfjs recurrent layer on its wasm-rnn twin, in place of tfjs's loop over steps: the
// whole sequence is one tf.customGrad op whose inputs are x, the layer's variables and the initial
// states, whose forward is the twin's run (one kernel call per sequence) and whose gradient is the
// twin's backward, giving tfjs the gradients of x, of every variable (which tfjs's optimizers then
// update) and of the initial states. The layer's outputs (sequences or last output, then the states)
// are one tensor to customGrad — it takes one output — sliced apart outside it. As tfjs does:
// stateful layers start from and keep their states (layer.resetStates), input dropout while training
// is one mask per sequence ([B, I], the cell's dropoutFunc or tf.dropout, drawn as many times as
// tfjs's cell draws them), and dropout outside training is the identity.

import { Tensor, type DirectionResult } from "../../index.js";
import type { TfCell, TfModule, TfRecurrentLayer, TfTensor } from "./host.js";
import { floats, layerVariables, type LayerTwin } from "./layer-twin.js";

/** What a call runs with, checked by the bridge. */
export interface RecurrentCall {
  x: TfTensor;
  /** Keras's mask [B, T] as 0/1 per step, or null when every step is valid. */
  mask: Uint8Array | null;
  /** Initial states [B, H] (h, and c for an LSTM), or null for zeros. */
  initial: TfTensor[] | null;
  training: boolean;
}

/** Runs the call on the twin; returns what the layer's own call returns. `counted` is called for each
 *  backward pass through it. */
export function runOnTwin(tf: TfModule, layer: TfRecurrentLayer, twin: LayerTwin, call: RecurrentCall, counted: () => void): TfTensor | TfTensor[] {
  return tf.tidy(() => {
    disposeDropoutMasks(tf, layer.cell);
    const [B, T, I] = call.x.shape;
    const H = layer.cell.units;
    const x = call.training && 0 < layer.cell.dropout && layer.cell.dropout < 1 ? tf.mul(call.x, tf.expandDims(inputDropoutMask(tf, layer.cell, [B, I]), 1)) : call.x;
    twin.sync(layer);
    const variables = layerVariables(layer).filter((v): v is TfTensor => v !== null);
    const initial = call.initial ?? [];
    const keepStates = layer.returnState || layer.stateful;
    const shapes = outputShapes(layer, B, T, H);

    // customGrad hands f the inputs and then its `save` function (unused: backward needs no tfjs tensors).
    const op = tf.customGrad((...args: unknown[]) => {
      const inputs = args.slice(0, 1 + variables.length + initial.length) as TfTensor[];
      const xData = floats(inputs[0]);
      const initialData = inputs.slice(1 + variables.length).map((t) => new Tensor(floats(t), [B, H]));
      const forward = () => twin.direction.run(new Tensor(xData, [B, T, I]), call.mask, initialData, layer.returnSequences);
      const result = forward();
      let run = twin.direction.runs;
      const pieces = outputPieces(result, keepStates);
      return {
        value: pieces.length === 1 ? tf.tensor(pieces[0], shapes[0]) : tf.tensor(concat(pieces), [pieces.reduce((n, p) => n + p.length, 0)]),
        gradFunc: (dy: TfTensor) => {
          // Backward reads the buffers of the twin's last run: a later run of the same layer (a
          // layer called twice in one model) means this one is run again first.
          if (twin.direction.runs !== run) {
            forward();
            run = twin.direction.runs;
          }
          const gradients = pieceGradients(layer, floats(dy), pieces, B, T, H);
          const g = twin.direction.backward(gradients.sequences, gradients.states);
          counted();
          const weightGradients = [g.weights.kernel, g.weights.recurrentKernel, g.weights.bias].filter((w) => w !== null);
          return [
            tf.tensor(g.input.data, [B, T, I]),
            ...weightGradients.map((w) => tf.tensor(w.data, w.shape)),
            ...g.initial.slice(0, initialData.length).map((s) => tf.tensor(s.data, [B, H])),
          ];
        },
      };
    });
    const packed = op(x, ...variables, ...initial);
    const outputs = shapes.length === 1 ? [packed] : unpack(tf, packed, shapes);
    const [output, ...states] = outputs;
    if (layer.stateful) layer.resetStates(states, call.training);
    return layer.returnState ? outputs : output;
  });
}

/** Shapes of the layer's output then, when it returns or keeps them, of its states. */
function outputShapes(layer: TfRecurrentLayer, B: number, T: number, H: number): number[][] {
  const output = layer.returnSequences ? [B, T, H] : [B, H];
  const states = layer.returnState || layer.stateful ? Array.from({ length: stateCount(layer.cell) }, () => [B, H]) : [];
  return [output, ...states];
}

function stateCount(cell: TfCell): number {
  return Array.isArray(cell.stateSize) ? cell.stateSize.length : 1;
}

/** The values of the output and (when kept) the final states, in outputShapes' order. */
function outputPieces(result: DirectionResult, keepStates: boolean): Float32Array[] {
  const output = (result.sequences ?? result.states[0]).data;
  return [output, ...(keepStates ? result.states.map((s) => s.data) : [])];
}

/** ∂L/∂ each piece of the packed output, as the twin's backward takes them: the sequences' gradient
 *  (or null) and each final state's (the last output is h: its gradient adds to h's). */
function pieceGradients(layer: TfRecurrentLayer, dy: Float32Array, pieces: readonly Float32Array[], B: number, T: number, H: number) {
  let at = 0;
  const parts = pieces.map((p) => dy.subarray(at, (at += p.length)));
  const [output, ...states] = parts;
  const stateGradients: (Tensor | null)[] = Array.from({ length: stateCount(layer.cell) }, (_, i) => (states[i] ? new Tensor(states[i], [B, H]) : null));
  if (layer.returnSequences) return { sequences: new Tensor(output, [B, T, H]), states: stateGradients };
  const h = states[0] ? output.map((v, i) => v + states[0][i]) : output;
  stateGradients[0] = new Tensor(h, [B, H]);
  return { sequences: null, states: stateGradients };
}

function concat(pieces: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The packed output cut back into its tensors. */
function unpack(tf: TfModule, packed: TfTensor, shapes: readonly number[][]): TfTensor[] {
  let at = 0;
  return shapes.map((shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const piece = tf.reshape(tf.slice(packed, [at], [size]), shape);
    at += size;
    return piece;
  });
}

/** The input dropout mask [B, I] of a training call, as tfjs's cell draws it (its dropoutFunc or
 *  tf.dropout on ones, one draw per gate of which tfjs uses the first). */
function inputDropoutMask(tf: TfModule, cell: TfCell, shape: number[]): TfTensor {
  const draws = cell.kernel!.shape[1] / cell.units;
  const draw = () => (cell.dropoutFunc ? cell.dropoutFunc(tf.ones(shape), cell.dropout) : tf.dropout(tf.ones(shape), cell.dropout));
  const [first] = Array.from({ length: draws }, draw); // the others are tidied away
  return first;
}

/** What tfjs's own call does first: dispose the dropout masks an earlier call kept on the cell. */
function disposeDropoutMasks(tf: TfModule, cell: TfCell): void {
  tf.dispose(flat(cell.dropoutMask));
  cell.dropoutMask = null;
  tf.dispose(flat(cell.recurrentDropoutMask));
  cell.recurrentDropoutMask = null;
}

function flat(mask: TfTensor | TfTensor[] | null): TfTensor[] {
  return mask === null ? [] : Array.isArray(mask) ? mask : [mask];
}
