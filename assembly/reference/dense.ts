// Naive references of dense.ts: the fully connected layer's forward and backward and the embedding
// lookup's, one output at a time in the obvious loops, dense sums in float64 and rounded once. The
// oracles of the dense and embedding case tables (test/cases/dense.json, embedding.json). Test-only:
// exported from assembly/testing.ts, never from assembly/index.ts.
//
// Legend as in dense.ts: N rows, I input features, O output features, E embedding size.

// @ts-ignore: decorator
@inline function f(p: usize, i: i32): f64 {
  return <f64>load<f32>(p + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function put(p: usize, i: i32, v: f64): void {
  store<f32>(p + (<usize>i << 2), <f32>v);
}

/** y [N, O] = x [N, I] · Wᵀ (+ b); W [O, I]; b = 0: no bias. */
export function denseForwardNaive(N: i32, I: i32, O: i32, x: usize, w: usize, b: usize, y: usize): void {
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      let s: f64 = b != 0 ? f(b, o) : 0;
      for (let i = 0; i < I; i++) s += f(x, n * I + i) * f(w, o * I + i);
      put(y, n * O + o, s);
    }
  }
}

/** ∂W [O, I] += ∂yᵀ x; ∂b [O] += Σ_n ∂y (gradB ≠ 0); ∂x [N, I] = ∂y W (gradX ≠ 0). */
export function denseBackwardNaive(N: i32, I: i32, O: i32, x: usize, w: usize, gradY: usize,
                                   gradW: usize, gradB: usize, gradX: usize): void {
  for (let o = 0; o < O; o++) {
    for (let i = 0; i < I; i++) {
      let s = f(gradW, o * I + i);
      for (let n = 0; n < N; n++) s += f(gradY, n * O + o) * f(x, n * I + i);
      put(gradW, o * I + i, s);
    }
    if (gradB == 0) continue;
    let s = f(gradB, o);
    for (let n = 0; n < N; n++) s += f(gradY, n * O + o);
    put(gradB, o, s);
  }
  if (gradX == 0) return;
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < I; i++) {
      let s: f64 = 0;
      for (let o = 0; o < O; o++) s += f(gradY, n * O + o) * f(w, o * I + i);
      put(gradX, n * I + i, s);
    }
  }
}

/** y [N, E] = table rows ids [N] (int32). */
export function embeddingForwardNaive(N: i32, E: i32, table: usize, ids: usize, y: usize): void {
  for (let n = 0; n < N; n++) {
    let id = load<i32>(ids + (<usize>n << 2));
    for (let e = 0; e < E; e++) store<f32>(y + (<usize>(n * E + e) << 2), load<f32>(table + (<usize>(id * E + e) << 2)));
  }
}

/** ∂table[id[n]] += ∂y[n] for each n in order whose id is not paddingIdx, one float32 add at a time. */
export function embeddingBackwardNaive(N: i32, E: i32, ids: usize, gradY: usize, gradTable: usize, paddingIdx: i32): void {
  for (let n = 0; n < N; n++) {
    let id = load<i32>(ids + (<usize>n << 2));
    if (id == paddingIdx) continue;
    for (let e = 0; e < E; e++) {
      let at = gradTable + (<usize>(id * E + e) << 2);
      store<f32>(at, load<f32>(at) + load<f32>(gradY + (<usize>(n * E + e) << 2)));
    }
  }
}
