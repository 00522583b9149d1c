// The cell options of ONNX and Keras recurrent layers beyond PyTorch's: a choice of activation
// function (with alpha/beta) for each activation slot, a clip on the inputs of the activations, and
// coupled input/forget gates. Evaluated one element at a time: a slower, general forward path that
// the cells take only when a layer has such options (training them is not supported).
//
// Options block (written by src/layers/cell-options.ts): f32 clip (0 = none), i32 inputForget,
// then per slot k (LSTM f g h; GRU f g; RNN f): i32 code, f32 alpha, f32 beta.

import { sigmoidV, tanhV, exp1 } from "./activations";

export const SIGMOID: i32 = 0;
export const TANH: i32 = 1;
export const RELU: i32 = 2;
export const AFFINE: i32 = 3;
export const LEAKY_RELU: i32 = 4;
export const THRESHOLDED_RELU: i32 = 5;
export const SCALED_TANH: i32 = 6;
export const HARD_SIGMOID: i32 = 7;
export const ELU: i32 = 8;
export const SOFTSIGN: i32 = 9;
export const SOFTPLUS: i32 = 10;

/** Activation slot k of the options block applied to x, after the clip when one is set and
 *  `clipped` (gate pre-activations are clipped; an LSTM's cell state before h is not, as in ORT). */
export function activate(options: usize, k: i32, x: f32, clipped: bool = true): f32 {
  let clip = load<f32>(options);
  if (clipped && clip > 0) x = max(-clip, min(clip, x));
  let slot = options + 8 + <usize>(k * 12);
  let alpha = load<f32>(slot, 4), beta = load<f32>(slot, 8);
  switch (load<i32>(slot)) {
    case SIGMOID: return f32x4.extract_lane(sigmoidV(f32x4.splat(x)), 0);
    case TANH: return f32x4.extract_lane(tanhV(f32x4.splat(x)), 0);
    case RELU: return max(x, 0);
    case AFFINE: return alpha * x + beta;
    case LEAKY_RELU: return x >= 0 ? x : alpha * x;
    case THRESHOLDED_RELU: return x >= alpha ? x : 0;
    case SCALED_TANH: return alpha * f32x4.extract_lane(tanhV(f32x4.splat(beta * x)), 0);
    case HARD_SIGMOID: return max(0, min(1, alpha * x + beta));
    case ELU: return x >= 0 ? x : alpha * (exp1(x) - 1);
    case SOFTSIGN: return x / (1 + abs(x));
    default: return x > 20 ? x : <f32>Math.log1p(<f64>exp1(x)); // softplus
  }
}

/** Whether the input and forget gates are coupled (f = 1 − i). */
// @ts-ignore: decorator
@inline export function inputForget(options: usize): bool {
  return load<i32>(options, 4) != 0;
}
