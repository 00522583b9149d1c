// sgemm, sgemmPacked and gemvRows against the naive oracle: every transpose combination, shapes that
// are not multiples of the tiles or cache blocks, overwrite and accumulate, and no writes past C.

import { sgemm, sgemmPacked, packB, packedSize, gemmWorkspaceBytes, packRows, rowPanelsSize, gemvPanels, gemvRows, KC, MC } from "../gemm";
import { sgemmNaive } from "../reference/gemm";
import { floats, guardIntact, randomFill, maxDiff } from "./helpers.include";

const work = heap.alloc(<usize>gemmWorkspaceBytes());

/** Checks C = A·B (or += when accumulate) for A [M×K], B [K×N] stored transposed or not. */
function checkSgemm(M: i32, N: i32, K: i32, transA: bool, transB: bool, accumulate: i32): void {
  let A = floats(M * K), B = floats(K * N), C = floats(M * N), R = floats(M * N);
  randomFill(A, M * K); randomFill(B, K * N); randomFill(C, M * N);
  memory.copy(R, C, <usize>(M * N) << 2);
  let rsA = transA ? 1 : K, csA = transA ? M : 1;
  let rsB = transB ? 1 : N, csB = transB ? K : 1;
  sgemm(M, N, K, A, rsA, csA, B, rsB, csB, C, N, accumulate, work);
  sgemmNaive(M, N, K, A, rsA, csA, B, rsB, csB, R, N, accumulate);
  expect(maxDiff(C, R, M * N)).toBeLessThan(<f32>(2e-6 * <f64>K), "sgemm vs naive");
  expect(guardIntact(C, M * N)).toBe(true, "no write past C");
}

describe("sgemm", () => {
  it("matches the naive product for every transpose combination", () => {
    for (let t = 0; t < 4; t++) {
      checkSgemm(7, 13, 5, (t & 1) != 0, (t & 2) != 0, 0);
      checkSgemm(32, 40, 64, (t & 1) != 0, (t & 2) != 0, 1);
    }
  });

  it("handles edges of tiles and cache blocks", () => {
    checkSgemm(1, 1, 1, false, false, 0);
    checkSgemm(3, 9, 2, false, true, 0);
    checkSgemm(MC + 5, 17, KC + 3, true, false, 1);
    checkSgemm(13, 1030, 7, false, true, 0);
  });

  it("K = 0 overwrites with zeros or leaves C when accumulating", () => {
    let C = floats(6);
    randomFill(C, 6);
    let before = load<f32>(C);
    sgemm(2, 3, 0, 0, 0, 0, 0, 0, 0, C, 3, 1, work);
    expect(load<f32>(C)).toBe(before);
    sgemm(2, 3, 0, 0, 0, 0, 0, 0, 0, C, 3, 0, work);
    expect(load<f32>(C)).toBe(0);
  });
});

describe("sgemmPacked", () => {
  it("matches sgemm with B packed once (C = A·Wᵀ)", () => {
    let M = 9, N = 35, K = 300;
    let A = floats(M * K), W = floats(N * K), C = floats(M * N), R = floats(M * N);
    randomFill(A, M * K); randomFill(W, N * K);
    let Bp = floats(packedSize(K, N));
    packB(K, N, W, 1, K, Bp);
    sgemmPacked(M, N, K, A, K, 1, Bp, C, N, 0, work);
    sgemmNaive(M, N, K, A, K, 1, W, 1, K, R, N, 0);
    expect(maxDiff(C, R, M * N)).toBeLessThan(<f32>1e-4);
    expect(guardIntact(C, M * N)).toBe(true);
  });
});

describe("gemvPanels", () => {
  it("matches the naive product for odd sizes, overwrite and accumulate", () => {
    let sizes: i32[] = [1, 3, 4, 6, 7, 8, 13, 64, 257];
    for (let a = 0; a < sizes.length; a++) {
      for (let b = 0; b < sizes.length; b++) {
        let N = sizes[a], K = sizes[b];
        let W = floats(N * K), x = floats(K), y = floats(N), r = floats(N), Wp = floats(rowPanelsSize(N, K));
        randomFill(W, N * K); randomFill(x, K); randomFill(y, N);
        memory.copy(r, y, <usize>N << 2);
        packRows(N, K, W, K, 1, Wp);
        gemvPanels(N, K, Wp, x, y, 1);
        sgemmNaive(1, N, K, x, K, 1, W, 1, K, r, N, 1);
        expect(maxDiff(y, r, N)).toBeLessThan(<f32>(2e-6 * <f64>K));
        expect(guardIntact(y, N)).toBe(true);
      }
    }
  });
});

describe("gemvRows", () => {
  it("matches the naive product for row-major W, every row and column remainder, overwrite and accumulate", () => {
    let shapes: i32[] = [1, 1, 3, 5, 4, 4, 7, 9, 512, 128, 130, 67];
    for (let c = 0; c < shapes.length; c += 2) {
      let N = shapes[c], K = shapes[c + 1];
      for (let accumulate = 0; accumulate < 2; accumulate++) {
        let W = floats(N * K), x = floats(K), y = floats(N), r = floats(N);
        randomFill(W, N * K); randomFill(x, K); randomFill(y, N);
        memory.copy(r, y, <usize>N << 2);
        gemvRows(N, K, W, x, y, accumulate);
        sgemmNaive(1, N, K, x, K, 1, W, 1, K, r, N, accumulate);
        expect(maxDiff(y, r, N)).toBeLessThan(<f32>(2e-6 * <f64>K), "gemvRows vs naive");
        expect(guardIntact(y, N)).toBe(true, "no write past y");
      }
    }
  });
});
