// Attention over encoder outputs, forward and backward side by side: alignment scores (dot products,
// or Bahdanau's additive form), a softmax masked to each source sequence's length, and the context
// vectors. Batched over B inside wasm; per batch element the products are strided GEMMs on the
// time-major buffers, so nothing is transposed or copied.
//
// Legend: B batch, Td decoder steps, Ts source steps, K key/query size, He encoder feature size,
// A additive-attention size. Queries q [Td, B, K], keys k [Ts, B, K], values enc [Ts, B, He];
// scores and alignments are [B, Td, Ts] (one row per decoder step of each sequence).
//   dot/general  e[b,t,s] = q[t,b]·k[s,b]            (general: k = enc W_aᵀ, computed by the caller)
//   additive     e[b,t,s] = v·tanh(q[t,b] + k[s,b])  (q = W_1 h, k = W_2 enc, computed by the caller)
//   α = softmax over s < L_b of e;  ctx[t,b] = Σ_s α[b,t,s] enc[s,b]

import { sgemm } from "./gemm";
import { tanhV, tanh1, exp1 } from "./activations";

// ---- scores ------------------------------------------------------------------------------------

/** e[b,t,s] = q[t,b,:]·k[s,b,:]. */
export function dotScores(B: i32, Td: i32, Ts: i32, K: i32, q: usize, k: usize, scores: usize, work: usize): void {
  for (let b = 0; b < B; b++) {
    sgemm(Td, Ts, K, q + (<usize>(b * K) << 2), B * K, 1, k + (<usize>(b * K) << 2), 1, B * K,
          scores + (<usize>(b * Td * Ts) << 2), Ts, 0, work);
  }
}

/** ∂q += ∂e·k and ∂k += ∂eᵀ·q per batch element. */
export function dotScoresBackward(B: i32, Td: i32, Ts: i32, K: i32, q: usize, k: usize, dScores: usize,
                                  dq: usize, dk: usize, work: usize): void {
  for (let b = 0; b < B; b++) {
    let dS = dScores + (<usize>(b * Td * Ts) << 2), bo = <usize>(b * K) << 2;
    sgemm(Td, K, Ts, dS, Ts, 1, k + bo, B * K, 1, dq + bo, B * K, 1, work);
    sgemm(Ts, K, Td, dS, 1, Ts, q + bo, B * K, 1, dk + bo, B * K, 1, work);
  }
}

/** e[b,t,s] = Σ_a v[a]·tanh(q[t,b,a] + k[s,b,a]); keeps the tanh values [B, Td, Ts, A] for backward. */
export function additiveScores(B: i32, Td: i32, Ts: i32, A: i32, q: usize, k: usize, v: usize, tanhOut: usize, scores: usize): void {
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < Td; t++) {
      let qr = q + (<usize>((t * B + b) * A) << 2);
      for (let s = 0; s < Ts; s++) {
        let kr = k + (<usize>((s * B + b) * A) << 2);
        let out = tanhOut + (<usize>(((b * Td + t) * Ts + s) * A) << 2);
        let acc = f32x4.splat(0);
        let a = 0;
        for (; a + 4 <= A; a += 4) {
          let o = <usize>a << 2;
          let th = tanhV(f32x4.add(v128.load(qr + o), v128.load(kr + o)));
          v128.store(out + o, th);
          acc = f32x4.add(acc, f32x4.mul(th, v128.load(v + o)));
        }
        let e = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
        for (; a < A; a++) {
          let o = <usize>a << 2;
          let th = tanh1(load<f32>(qr + o) + load<f32>(kr + o));
          store<f32>(out + o, th);
          e += th * load<f32>(v + o);
        }
        store<f32>(scores + (<usize>((b * Td + t) * Ts + s) << 2), e);
      }
    }
  }
}

/** From ∂e: ∂v += Σ ∂e·tanh, ∂q[t,b] += Σ_s, ∂k[s,b] += Σ_t of ∂e·v·(1 − tanh²). */
export function additiveScoresBackward(B: i32, Td: i32, Ts: i32, A: i32, tanhOut: usize, v: usize, dScores: usize,
                                       dq: usize, dk: usize, dv: usize): void {
  let one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < Td; t++) {
      let dqr = dq + (<usize>((t * B + b) * A) << 2);
      for (let s = 0; s < Ts; s++) {
        let de = load<f32>(dScores + (<usize>((b * Td + t) * Ts + s) << 2));
        if (de == 0) continue; // masked positions and exact zeros contribute nothing
        let dkr = dk + (<usize>((s * B + b) * A) << 2);
        let th = tanhOut + (<usize>(((b * Td + t) * Ts + s) * A) << 2);
        let vde = f32x4.splat(de);
        let a = 0;
        for (; a + 4 <= A; a += 4) {
          let o = <usize>a << 2;
          let tv = v128.load(th + o);
          v128.store(dv + o, f32x4.add(v128.load(dv + o), f32x4.mul(vde, tv)));
          let dpre = f32x4.mul(f32x4.mul(vde, v128.load(v + o)), f32x4.sub(one, f32x4.mul(tv, tv)));
          v128.store(dqr + o, f32x4.add(v128.load(dqr + o), dpre));
          v128.store(dkr + o, f32x4.add(v128.load(dkr + o), dpre));
        }
        for (; a < A; a++) {
          let o = <usize>a << 2;
          let tv = load<f32>(th + o);
          store<f32>(dv + o, load<f32>(dv + o) + de * tv);
          let dpre = de * load<f32>(v + o) * (1 - tv * tv);
          store<f32>(dqr + o, load<f32>(dqr + o) + dpre);
          store<f32>(dkr + o, load<f32>(dkr + o) + dpre);
        }
      }
    }
  }
}

// ---- masked softmax ----------------------------------------------------------------------------

/** In place: each row of e [B, Td, Ts] becomes softmax over s < L_b (lengths int32 [B]; 0 = all), zeros beyond. */
export function maskedSoftmax(B: i32, Td: i32, Ts: i32, lengths: usize, e: usize): void {
  for (let b = 0; b < B; b++) {
    let L = lengths == 0 ? Ts : load<i32>(lengths + (<usize>b << 2));
    for (let t = 0; t < Td; t++) {
      let row = e + (<usize>((b * Td + t) * Ts) << 2);
      let m: f32 = -Infinity;
      for (let s = 0; s < L; s++) m = max(m, load<f32>(row + (<usize>s << 2)));
      let sum: f64 = 0;
      for (let s = 0; s < L; s++) {
        let x = exp1(load<f32>(row + (<usize>s << 2)) - m);
        store<f32>(row + (<usize>s << 2), x);
        sum += <f64>x;
      }
      let inv = <f32>(1 / sum);
      for (let s = 0; s < Ts; s++) store<f32>(row + (<usize>s << 2), s < L ? load<f32>(row + (<usize>s << 2)) * inv : 0);
    }
  }
}

/** In place: ∂α [B, Td, Ts] becomes ∂e = α ⊙ (∂α − Σ_s α ∂α) (zero where α is masked). */
export function maskedSoftmaxBackward(B: i32, Td: i32, Ts: i32, alpha: usize, dAlpha: usize): void {
  let rows = B * Td;
  for (let r = 0; r < rows; r++) {
    let a = alpha + (<usize>(r * Ts) << 2), d = dAlpha + (<usize>(r * Ts) << 2);
    let dot: f32 = 0;
    for (let s = 0; s < Ts; s++) dot += load<f32>(a + (<usize>s << 2)) * load<f32>(d + (<usize>s << 2));
    for (let s = 0; s < Ts; s++) {
      let o = <usize>s << 2;
      store<f32>(d + o, load<f32>(a + o) * (load<f32>(d + o) - dot));
    }
  }
}

// ---- context -----------------------------------------------------------------------------------

/** ctx[t,b,:] = Σ_s α[b,t,s] enc[s,b,:]. */
export function attendContext(B: i32, Td: i32, Ts: i32, He: i32, alpha: usize, enc: usize, ctx: usize, work: usize): void {
  for (let b = 0; b < B; b++) {
    let bo = <usize>(b * He) << 2;
    sgemm(Td, He, Ts, alpha + (<usize>(b * Td * Ts) << 2), Ts, 1, enc + bo, B * He, 1, ctx + bo, B * He, 0, work);
  }
}

/** ∂α = ∂ctx·encᵀ (overwritten) and ∂enc += αᵀ·∂ctx, per batch element. */
export function attendContextBackward(B: i32, Td: i32, Ts: i32, He: i32, alpha: usize, enc: usize, dCtx: usize,
                                      dAlpha: usize, dEnc: usize, work: usize): void {
  for (let b = 0; b < B; b++) {
    let bo = <usize>(b * He) << 2, ao = <usize>(b * Td * Ts) << 2;
    sgemm(Td, Ts, He, dCtx + bo, B * He, 1, enc + bo, 1, B * He, dAlpha + ao, Ts, 0, work);
    sgemm(Ts, He, Td, alpha + ao, 1, Ts, dCtx + bo, B * He, 1, dEnc + bo, B * He, 1, work);
  }
}
