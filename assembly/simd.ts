// Small SIMD helpers shared by every kernel: fused multiply-add that compiles to relaxed_madd in the
// relaxed-SIMD build and to mul+add in the plain build (ASC_FEATURE_RELAXED_SIMD is a compile-time
// constant, so only one branch is emitted), byte-offset helpers for f32 pointers, and in-place adds.
// Owns no memory and no state.

/** a·b + c, four lanes. Relaxed build: one FMA (rounds once); plain build: two roundings. */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Byte address of element `i` of an f32 array at `p`. */
// @ts-ignore: decorator
@inline export function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/** dst[i] += src[i] for i < n. */
export function addInto(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    let o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < n; i++) {
    let o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}
