// The raw wasm kernels of both builds (plain and relaxed SIMD), instantiated directly: GEMM and GEMV
// against the naive oracle on awkward shapes, with sentinels after the output. (as-pect covers the
// plain build from AssemblyScript; this covers the relaxed build as shipped.)

import { readFileSync } from "node:fs";
import v8 from "node:v8";
import { describe, expect, it } from "vitest";
import type { CoreExports } from "../../src/engine/abi.js";

v8.setFlagsFromString("--experimental-wasm-relaxed-simd");

const SENTINEL = 12345.5;

function instantiate(file: string): { core: CoreExports; f32: () => Float32Array; alloc: (floats: number) => number } {
  const memory = new WebAssembly.Memory({ initial: 512, maximum: 65536 });
  const module = new WebAssembly.Module(readFileSync(new URL(`../../build/${file}`, import.meta.url)));
  const core = new WebAssembly.Instance(module, { env: { memory, abort: () => { throw new Error("abort"); } } }).exports as unknown as CoreExports;
  let top = 1024;
  const alloc = (floats: number) => {
    const p = top;
    top += Math.ceil(((floats + 16) * 4) / 64) * 64;
    new Float32Array(memory.buffer, p, floats + 16).fill(SENTINEL);
    return p;
  };
  return { core, f32: () => new Float32Array(memory.buffer), alloc };
}

function fillRandom(f32: Float32Array, ptr: number, n: number, seed: number): void {
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    f32[(ptr >> 2) + i] = s / 2 ** 32 - 0.5;
  }
}

for (const file of ["release.wasm", "relaxed.wasm"]) {
  describe(`kernels of ${file}`, () => {
    const { core, f32, alloc } = instantiate(file);
    const work = alloc(core.gemmWorkspaceBytes() / 4);

    const shapes: [number, number, number][] = [[1, 1, 1], [5, 7, 3], [33, 1027, 65], [130, 24, 300], [4, 8, 257], [2, 12, 6], [3, 1024, 256]];
    for (const [M, N, K] of shapes) {
      for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]]) {
        it(`sgemm ${M}×${N}×${K} transA=${transA} transB=${transB}`, () => {
          const A = alloc(M * K), B = alloc(K * N), C = alloc(M * N), R = alloc(M * N);
          fillRandom(f32(), A, M * K, 1);
          fillRandom(f32(), B, K * N, 2);
          fillRandom(f32(), C, M * N, 3);
          f32().copyWithin(R >> 2, C >> 2, (C >> 2) + M * N);
          const [rsA, csA] = transA ? [1, M] : [K, 1];
          const [rsB, csB] = transB ? [1, K] : [N, 1];
          core.sgemm(M, N, K, A, rsA, csA, B, rsB, csB, C, N, 1, work);
          core.sgemmNaive(M, N, K, A, rsA, csA, B, rsB, csB, R, N, 1);
          const c = f32().subarray(C >> 2, (C >> 2) + M * N + 16), r = f32().subarray(R >> 2, (R >> 2) + M * N);
          let worst = 0;
          for (let i = 0; i < M * N; i++) worst = Math.max(worst, Math.abs(c[i] - r[i]));
          expect(worst).toBeLessThan(2e-6 * K + 1e-6);
          expect([...c.subarray(M * N)].every((v) => v === SENTINEL)).toBe(true);
        });
      }
      it(`gemvPanels ${N}×${K}`, () => {
        const W = alloc(N * K), x = alloc(K), y = alloc(N), r = alloc(N), Wp = alloc(core.rowPanelsSize(N, K));
        fillRandom(f32(), W, N * K, 4);
        fillRandom(f32(), x, K, 5);
        f32().fill(NaN, (x >> 2) + K, (x >> 2) + K + 16); // values past x must not leak in
        core.packRows(N, K, W, K, 1, Wp);
        core.gemvPanels(N, K, Wp, x, y, 0);
        core.sgemmNaive(1, N, K, x, K, 1, W, 1, K, r, N, 0);
        const yv = f32().subarray(y >> 2, (y >> 2) + N + 16), rv = f32().subarray(r >> 2, (r >> 2) + N);
        for (let i = 0; i < N; i++) expect(Math.abs(yv[i] - rv[i])).toBeLessThan(2e-6 * K + 1e-6);
        expect([...yv.subarray(N)].every((v) => v === SENTINEL)).toBe(true);
      });
    }
  });
}
