// Naive float64 reference of the Attention layer (src/layers/attention.ts), forward and backward side
// by side: Luong's global attention with dot, general or additive (Bahdanau) scores, masked to each
// source sequence's length. The oracle the wasm attention kernels are checked against; no wasm.
//
// Legend: B batch, Td decoder steps, Ts source steps, Hd query (decoder) size, He value (encoder)
// size, A additive-score size. dec [Td, B, Hd], enc [Ts, B, He] time-major; alignments [B, Td, Ts].
//   dot       e_s = h·enc_s              general  e_s = h·(W_a enc_s)       additive  e_s = v·tanh(W_q h + W_k enc_s)
//   α = softmax of e over s < L_b (0 beyond);  ctx = Σ_s α_s enc_s;  h̃ = tanh(W_c [ctx; h] + b_c)

import type { NamedTensors } from "./recurrent.js";

export interface AttentionSpec {
  kind: "dot" | "general" | "additive";
  querySize: number;
  valueSize: number;
  /** A (additive only) */
  attentionSize: number;
}

/** Parameter names and shapes, as Attention.parameterShapes() has them. */
function attentionParameterShapes({ kind, querySize: Hd, valueSize: He, attentionSize: A }: AttentionSpec): Record<string, number[]> {
  return {
    ...(kind === "general" ? { weight_a: [Hd, He] } : {}),
    ...(kind === "additive" ? { weight_query: [A, Hd], weight_key: [A, He], v: [A] } : {}),
    "combine.weight": [Hd, He + Hd],
    "combine.bias": [Hd],
  };
}

/** W v for W [rows, K], v [K]. */
function matVec(W: ArrayLike<number>, rows: number, K: number, v: ArrayLike<number>): Float64Array {
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) for (let k = 0; k < K; k++) y[r] += W[r * K + k] * v[k];
  return y;
}

/** dW += dy vᵀ and dv += Wᵀ dy for W [rows, K]. */
function matVecBackward(W: ArrayLike<number>, dW: Float64Array, rows: number, K: number, v: ArrayLike<number>, dy: ArrayLike<number>, dv: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < K; k++) {
      dW[r * K + k] += dy[r] * v[k];
      dv[k] += W[r * K + k] * dy[r];
    }
  }
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export interface AttentionForward {
  /** h̃ [Td, B, Hd] */
  out: Float64Array;
  /** α [B, Td, Ts] */
  alignments: Float64Array;
}

/** Sizes and inputs of one call, shared by forward and backward. */
export interface AttentionInputs {
  Td: number;
  Ts: number;
  B: number;
  /** [Td, B, Hd] */
  dec: ArrayLike<number>;
  /** [Ts, B, He] */
  enc: ArrayLike<number>;
  /** [B] source lengths (absent: Ts for every row) */
  lengths?: readonly number[];
}

const row = (a: ArrayLike<number>, index: number, size: number) => Float64Array.from({ length: size }, (_, k) => a[index * size + k]);

/** Scores of one decoder state h against the source row b: e [Ts]. */
function scores(spec: AttentionSpec, params: NamedTensors, h: Float64Array, enc: ArrayLike<number>, b: number, B: number, Ts: number): Float64Array {
  const { kind, querySize: Hd, valueSize: He, attentionSize: A } = spec;
  const q = kind === "additive" ? matVec(params.weight_query, A, Hd, h) : null;
  return Float64Array.from({ length: Ts }, (_, s) => {
    const e = row(enc, s * B + b, He);
    if (kind === "dot") return dot(h, e);
    if (kind === "general") return dot(h, matVec(params.weight_a, Hd, He, e));
    const k = matVec(params.weight_key, A, He, e);
    let score = 0;
    for (let a = 0; a < A; a++) score += params.v[a] * Math.tanh(q![a] + k[a]);
    return score;
  });
}

export function attentionForward(spec: AttentionSpec, params: NamedTensors, inputs: AttentionInputs): AttentionForward {
  const { Td, Ts, B, dec, enc } = inputs;
  const { querySize: Hd, valueSize: He } = spec;
  const out = new Float64Array(Td * B * Hd), alignments = new Float64Array(B * Td * Ts);
  for (let b = 0; b < B; b++) {
    const L = inputs.lengths?.[b] ?? Ts;
    for (let t = 0; t < Td; t++) {
      const h = row(dec, t * B + b, Hd);
      const e = scores(spec, params, h, enc, b, B, Ts);
      const max = Math.max(...e.subarray(0, L));
      let sum = 0;
      for (let s = 0; s < L; s++) sum += Math.exp(e[s] - max);
      const joined = new Float64Array(He + Hd); // [ctx; h]
      for (let s = 0; s < L; s++) {
        const alpha = Math.exp(e[s] - max) / sum;
        alignments[(b * Td + t) * Ts + s] = alpha;
        for (let k = 0; k < He; k++) joined[k] += alpha * enc[(s * B + b) * He + k];
      }
      joined.set(h, He);
      const pre = matVec(params["combine.weight"], Hd, He + Hd, joined);
      for (let j = 0; j < Hd; j++) out[(t * B + b) * Hd + j] = Math.tanh(pre[j] + params["combine.bias"][j]);
    }
  }
  return { out, alignments };
}

export interface AttentionGradients {
  params: Record<string, Float64Array>;
  /** [Td, B, Hd] */
  dec: Float64Array;
  /** [Ts, B, He] */
  enc: Float64Array;
}

/** Backward of L = ⟨h̃, gradOut⟩ through the forward `forward` of the same inputs. */
export function attentionBackward(spec: AttentionSpec, params: NamedTensors, inputs: AttentionInputs, forward: AttentionForward, gradOut: ArrayLike<number>): AttentionGradients {
  const { Td, Ts, B, dec, enc } = inputs;
  const { kind, querySize: Hd, valueSize: He, attentionSize: A } = spec;
  const grads: Record<string, Float64Array> = {};
  for (const [name, shape] of Object.entries(attentionParameterShapes(spec))) grads[name] = new Float64Array(shape.reduce((a, b) => a * b, 1));
  const dDec = new Float64Array(Td * B * Hd), dEnc = new Float64Array(Ts * B * He);
  for (let b = 0; b < B; b++) {
    const L = inputs.lengths?.[b] ?? Ts;
    for (let t = 0; t < Td; t++) {
      const h = row(dec, t * B + b, Hd);
      const alpha = forward.alignments.subarray((b * Td + t) * Ts, (b * Td + t + 1) * Ts);
      const joined = new Float64Array(He + Hd);
      for (let s = 0; s < L; s++) for (let k = 0; k < He; k++) joined[k] += alpha[s] * enc[(s * B + b) * He + k];
      joined.set(h, He);
      // h̃ = tanh(W_c [ctx; h] + b_c)
      const dPre = Float64Array.from({ length: Hd }, (_, j) => {
        const y = forward.out[(t * B + b) * Hd + j];
        return gradOut[(t * B + b) * Hd + j] * (1 - y * y);
      });
      for (let j = 0; j < Hd; j++) grads["combine.bias"][j] += dPre[j];
      const dJoined = new Float64Array(He + Hd);
      matVecBackward(params["combine.weight"], grads["combine.weight"], Hd, He + Hd, joined, dPre, dJoined);
      const dh = dJoined.slice(He);
      // ctx = Σ α_s enc_s, then the masked softmax: ∂e_s = α_s (∂α_s − Σ_r α_r ∂α_r)
      const dAlpha = new Float64Array(Ts);
      for (let s = 0; s < L; s++) {
        for (let k = 0; k < He; k++) {
          dAlpha[s] += dJoined[k] * enc[(s * B + b) * He + k];
          dEnc[(s * B + b) * He + k] += alpha[s] * dJoined[k];
        }
      }
      const weighted = dot(alpha, dAlpha);
      const q = kind === "additive" ? matVec(params.weight_query, A, Hd, h) : null;
      const dq = new Float64Array(A);
      for (let s = 0; s < L; s++) {
        const de = alpha[s] * (dAlpha[s] - weighted);
        const e = row(enc, s * B + b, He);
        const dEncS = new Float64Array(He);
        if (kind === "dot") {
          for (let k = 0; k < Hd; k++) {
            dh[k] += de * e[k];
            dEncS[k] += de * h[k];
          }
        } else if (kind === "general") {
          const key = matVec(params.weight_a, Hd, He, e);
          for (let k = 0; k < Hd; k++) dh[k] += de * key[k];
          matVecBackward(params.weight_a, grads.weight_a, Hd, He, e, h.map((v) => de * v), dEncS);
        } else {
          const k = matVec(params.weight_key, A, He, e);
          const dk = new Float64Array(A);
          for (let a = 0; a < A; a++) {
            const th = Math.tanh(q![a] + k[a]);
            grads.v[a] += de * th;
            const dPreA = de * params.v[a] * (1 - th * th);
            dq[a] += dPreA;
            dk[a] += dPreA;
          }
          matVecBackward(params.weight_key, grads.weight_key, A, He, e, dk, dEncS);
        }
        for (let k = 0; k < He; k++) dEnc[(s * B + b) * He + k] += dEncS[k];
      }
      if (kind === "additive") matVecBackward(params.weight_query, grads.weight_query, A, Hd, h, dq, dh);
      dDec.set(dh, (t * B + b) * Hd);
    }
  }
  return { params: grads, dec: dDec, enc: dEnc };
}
