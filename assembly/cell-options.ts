// The cell options of ONNX and Keras recurrent layers beyond PyTorch's: a choice of activation
// function (with alpha/beta) for each activation slot, a clip on the inputs of the activations, and
// coupled input/forget gates, on four lanes: the cells' elementwise bodies call these in place of
// their default activations when a layer has such options (one switch per four values). Backward
// takes each activation's derivative from its output (`CellActivations.slope`), which determines it for every
// activation here (ELU and LeakyRelu with alpha > 0); a clip would hide where the input was, so
// clipped layers run forward only.
//
// Options block (written by src/layers/cell-options.ts): f32 clip (0 = none), i32 inputForget,
// then per slot k (LSTM f g h; GRU f g; RNN f): i32 code, f32 alpha, f32 beta.

import { sigmoidV, tanhV, expV, exp1 } from "./activations";

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

/** The cell options' activations on four lanes. (Static methods: AssemblyScript warns about exported
 *  functions with v128 operands, as if they could leave the module; these never do.) */
export class CellActivations {
  /** Activation slot k of the options block on four lanes, after the clip when one is set and
   *  `clipped` (gate pre-activations are clipped; an LSTM's cell state before h is not, as in ORT). */
  static apply(options: usize, k: i32, x: v128, clipped: bool = true): v128 {
    let clip = load<f32>(options);
    if (clipped && clip > 0) x = f32x4.pmax(f32x4.splat(-clip), f32x4.pmin(f32x4.splat(clip), x));
    let slot = options + 8 + <usize>(k * 12);
    let a = load<f32>(slot, 4), b = load<f32>(slot, 8);
    let alpha = f32x4.splat(a), beta = f32x4.splat(b), zero = f32x4.splat(0), one = f32x4.splat(1);
    switch (load<i32>(slot)) {
      case SIGMOID: return sigmoidV(x);
      case TANH: return tanhV(x);
      case RELU: return f32x4.pmax(zero, x);
      case AFFINE: return f32x4.add(f32x4.mul(alpha, x), beta);
      case LEAKY_RELU: return v128.bitselect(x, f32x4.mul(alpha, x), f32x4.ge(x, zero));
      case THRESHOLDED_RELU: return v128.and(x, f32x4.ge(x, alpha));
      case SCALED_TANH: return f32x4.mul(alpha, tanhV(f32x4.mul(beta, x)));
      case HARD_SIGMOID: return f32x4.pmax(zero, f32x4.pmin(one, f32x4.add(f32x4.mul(alpha, x), beta)));
      case ELU: return v128.bitselect(x, f32x4.mul(alpha, f32x4.sub(expV(x), one)), f32x4.ge(x, zero));
      case SOFTSIGN: return f32x4.div(x, f32x4.add(one, f32x4.abs(x)));
      default: { // softplus, lane by lane (no vector log)
        let y = x;
        y = f32x4.replace_lane(y, 0, softplus(f32x4.extract_lane(x, 0)));
        y = f32x4.replace_lane(y, 1, softplus(f32x4.extract_lane(x, 1)));
        y = f32x4.replace_lane(y, 2, softplus(f32x4.extract_lane(x, 2)));
        return f32x4.replace_lane(y, 3, softplus(f32x4.extract_lane(x, 3)));
      }
    }
  }

  /** The derivative of slot k's activation on four lanes, where it gave y (y = apply(options, k,
   *  x), unclipped). Exact for every activation whose output determines its slope: ELU and LeakyRelu
   *  need alpha > 0 (src/layers/cell-options.ts refuses the others for backward). At a kink (relu and
   *  hard_sigmoid's corners, ThresholdedRelu's step) it takes the flat side. */
  static slope(options: usize, k: i32, y: v128): v128 {
    let slot = options + 8 + <usize>(k * 12);
    let a = load<f32>(slot, 4), b = load<f32>(slot, 8);
    let alpha = f32x4.splat(a), zero = f32x4.splat(0), one = f32x4.splat(1);
    switch (load<i32>(slot)) {
      case SIGMOID: return f32x4.mul(y, f32x4.sub(one, y));
      case TANH: return f32x4.sub(one, f32x4.mul(y, y));
      case RELU: return v128.and(one, f32x4.gt(y, zero));
      case AFFINE: return alpha;
      case LEAKY_RELU: return v128.bitselect(one, alpha, f32x4.ge(y, zero));
      case THRESHOLDED_RELU: return v128.and(one, f32x4.ne(y, zero));
      case SCALED_TANH: {
        let t = a != 0 ? f32x4.div(y, alpha) : zero; // tanh(βx)
        return f32x4.mul(f32x4.splat(a * b), f32x4.sub(one, f32x4.mul(t, t)));
      }
      case HARD_SIGMOID: return v128.and(alpha, v128.and(f32x4.gt(y, zero), f32x4.lt(y, one)));
      case ELU: return v128.bitselect(one, f32x4.add(y, alpha), f32x4.ge(y, zero)); // α·e^x = y + α below 0
      case SOFTSIGN: {
        let c = f32x4.sub(one, f32x4.abs(y)); // 1 / (1 + |x|)
        return f32x4.mul(c, c);
      }
      default: { // softplus: σ(x) = 1 − e^−y, lane by lane
        let s = y;
        s = f32x4.replace_lane(s, 0, softplusSlope(f32x4.extract_lane(y, 0)));
        s = f32x4.replace_lane(s, 1, softplusSlope(f32x4.extract_lane(y, 1)));
        s = f32x4.replace_lane(s, 2, softplusSlope(f32x4.extract_lane(y, 2)));
        return f32x4.replace_lane(s, 3, softplusSlope(f32x4.extract_lane(y, 3)));
      }
    }
  }
}

function softplus(x: f32): f32 {
  return x > 20 ? x : <f32>Math.log1p(<f64>exp1(x));
}

function softplusSlope(y: f32): f32 {
  return <f32>-Math.expm1(-<f64>y);
}

/** Whether the input and forget gates are coupled (f = 1 − i). */
// @ts-ignore: decorator
@inline export function inputForget(options: usize): bool {
  return load<i32>(options, 4) != 0;
}
