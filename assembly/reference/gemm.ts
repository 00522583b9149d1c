// The naive reference of gemm.ts: C (+)= A·B one float at a time in the obvious order, float32 sums
// as the fast kernels keep them. The oracle of the dense case table (test/cases/dense.json) for sgemm,
// sgemmPacked and the batch-1 GEMVs. Test-only: exported from assembly/testing.ts, never from
// assembly/index.ts.
//
// Legend as in gemm.ts: M rows of C, N columns, K inner dimension; A(i,k) = A[i·rsA + k·csA],
// B(k,j) = B[k·rsB + j·csB].

import { at } from "../simd";

/** C[M×N] (row stride ldc) = A·B (accumulate = 0) or C += A·B (accumulate = 1). */
export function sgemmNaive(M: i32, N: i32, K: i32, A: usize, rsA: i32, csA: i32, B: usize, rsB: i32, csB: i32,
                           C: usize, ldc: i32, accumulate: i32): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s: f32 = 0;
      for (let k = 0; k < K; k++) s += load<f32>(at(A, i * rsA + k * csA)) * load<f32>(at(B, k * rsB + j * csB));
      let c = at(C, i * ldc + j);
      store<f32>(c, accumulate ? load<f32>(c) + s : s);
    }
  }
}
