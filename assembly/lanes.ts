// Loads and stores that are either four lanes wide or one lane wide, so each elementwise cell body is
// written once and used both for the SIMD loop and for the tail when a size is not a multiple of 4
// (`wide` is a constant at every call site, so the compiler keeps only one branch).

// @ts-ignore: decorator
@inline export function ld(p: usize, wide: bool): v128 {
  return wide ? v128.load(p) : f32x4.splat(load<f32>(p));
}

// @ts-ignore: decorator
@inline export function st(p: usize, v: v128, wide: bool): void {
  if (wide) v128.store(p, v);
  else store<f32>(p, f32x4.extract_lane(v, 0));
}

/** Loads base + offset when the optional operand `base` exists (≠ 0), else zeros. */
// @ts-ignore: decorator
@inline export function ldOpt(base: usize, offset: usize, wide: bool): v128 {
  return base != 0 ? ld(base + offset, wide) : f32x4.splat(0);
}

/** *p += v (gradient accumulation). */
// @ts-ignore: decorator
@inline export function addTo(p: usize, v: v128, wide: bool): void {
  st(p, f32x4.add(ld(p, wide), v), wide);
}
