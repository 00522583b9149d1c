// Test helpers for the kernel specs: float buffers with sentinels after them (to catch writes past
// the end), filled with reproducible pseudo-random values.

export const SENTINEL: f32 = 12345.5;
export const GUARD: i32 = 16;

/** A buffer of n floats followed by GUARD sentinel floats; returns its address. */
export function floats(n: i32): usize {
  let p = heap.alloc(<usize>(n + GUARD) << 2);
  for (let i = 0; i < n + GUARD; i++) store<f32>(p + (<usize>i << 2), i < n ? 0 : SENTINEL);
  return p;
}

/** True when the GUARD floats after n floats at p are untouched. */
export function guardIntact(p: usize, n: i32): bool {
  for (let i = n; i < n + GUARD; i++) if (load<f32>(p + (<usize>i << 2)) != SENTINEL) return false;
  return true;
}

let seed: u32 = 12345;
export function randomFill(p: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    seed = seed * 1664525 + 1013904223;
    store<f32>(p + (<usize>i << 2), <f32>(seed >> 8) / <f32>(1 << 24) - 0.5);
  }
}

/** max_i |a[i] − b[i]| over n floats. */
export function maxDiff(a: usize, b: usize, n: i32): f32 {
  let m: f32 = 0;
  for (let i = 0; i < n; i++) m = max(m, abs(load<f32>(a + (<usize>i << 2)) - load<f32>(b + (<usize>i << 2))));
  return m;
}
