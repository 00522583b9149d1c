// The naive reference of int8.ts's product: x quantized by plain scalar code to signed 7-bit values
// (no offset), summed against W read back from the packed layout one byte at a time, and the same
// dequantization, y = f32(sum) · (s_x · s_w). Integer sums are exact, so every inner product of the
// fast kernel must give these outputs bit for bit. Test-only: exported from assembly/testing.ts,
// never from assembly/index.ts.
//
// The packed layout is decoded here from its description in int8.ts (a header of N16 scales and N16
// row sums, 64-byte aligned; then blocks of 16 outputs × K4/4 groups of 64 bytes), independently of
// the kernel's own helpers. Legend: R rows of x, N outputs, K inner size, K4 and N16 rounded up.

/** Largest magnitude of a quantized activation (7 bits), as int8.ts quantizes. */
const ACTIVATION_MAX: f32 = 63;

/** y[r, n] (row stride ldy) (+)= Σ_k q(x[r, k])·W[n, k] · s_x · s_w[n], W packed by packInt8. */
export function int8ProductNaive(R: i32, N: i32, K: i32, x: usize, ldx: i32, packed: usize, y: usize, ldy: i32, accumulate: i32): void {
  let groups = (K + 3) >> 2, N16 = (N + 15) & ~15;
  let blocks = packed + ((<usize>N16 * 8 + 63) & ~(<usize>63));
  for (let r = 0; r < R; r++) {
    let row = x + (<usize>(r * ldx) << 2);
    let m: f32 = 0;
    for (let k = 0; k < K; k++) m = max(m, abs<f32>(load<f32>(row + (<usize>k << 2))));
    let inverse = m > 0 ? ACTIVATION_MAX / m : <f32>0, sx = m > 0 ? m / ACTIVATION_MAX : <f32>0;
    for (let n = 0; n < N; n++) {
      let sum = 0;
      for (let k = 0; k < K; k++) {
        let w = load<i8>(blocks + (<usize>((n >> 4) * groups + (k >> 2)) << 6) + <usize>(((n & 15) << 2) + (k & 3)));
        let q = <i32>nearest<f32>(load<f32>(row + (<usize>k << 2)) * inverse);
        sum += <i32>w * q;
      }
      let value = <f32>sum * (sx * load<f32>(packed + (<usize>n << 2)));
      let at = y + (<usize>(r * ldy + n) << 2);
      store<f32>(at, accumulate ? load<f32>(at) + value : value);
    }
  }
}
