// Quantized products for int8 inference: y[r, n] (+)= Σ_k x[r, k]·W[n, k] with W stored as int8
// with one f32 scale per output row (symmetric, ±127), and each row of x quantized on the fly to 7
// bits (symmetric, q = round(x / s) in ±63, s = max|x_r| / 63), kept as q + 64 in [1, 127]. The
// relaxed i8·i7 dot is deterministic only when its second operand has no top bit set (engines read
// it as signed or unsigned): hence the offset, whose share, 64·Σ_k W[n, k], is subtracted from each
// sum. The integer sums are exact, so every inner product gives the same ones — the relaxed dot
// into i32 (i32x4.relaxed_dot_i8x16_i7x16_add_s), the relaxed dot into i16 then widened (for V8
// 11.3, whose i32 form gives wrong sums), or the plain-SIMD i16 dot (i32x4.dot_i16x8_s) — and so
// are the outputs: y = f32(sum) · (s_x · s_w). The engine picks the fastest one that gives the i16
// dot's results at init (setIntegerDot). Holds no static data.
//
// Packed weights (packInt8): a header of the N rows' scales (f32) and row sums (i32), each padded
// with zeros to N16 entries, then blocks of 16 output rows, each K4/4 groups of 64 bytes: four
// vectors, vector m holding outputs 4m…4m+3 of the block with 4 consecutive k each (the layout one
// relaxed dot consumes: lane i of its sum is output 4m+i). N is padded to N16, K to K4, with zeros.
// Legend: R rows of x, N outputs, K inner size, K4 = K rounded up to 4, N16 = N rounded up to 16.

/** Largest magnitude of a quantized activation (7 bits), and the offset that makes it non-negative. */
const ACTIVATION_MAX: f32 = 63;
const ACTIVATION_OFFSET: i32 = 64;
/** Rows of x quantized at a time into the caller's workspace. */
const CHUNK_ROWS: i32 = 64;

/** The inner products. */
const DOT_I16: i32 = 0;
const DOT_RELAXED: i32 = 1;
const DOT_RELAXED_I16: i32 = 2;

/** The inner product products use. */
let dotKind = DOT_I16;

/** Picks the inner product: 0 the plain-SIMD i16 dot, 1 the relaxed dot into i32, 2 the relaxed dot
 *  into i16 then widened (1 and 2 only in relaxed builds; a plain build always runs 0). */
export function setIntegerDot(kind: i32): void {
  dotKind = ASC_FEATURE_RELAXED_SIMD && (kind == DOT_RELAXED || kind == DOT_RELAXED_I16) ? kind : DOT_I16;
}

/** The inner product in use (see setIntegerDot). */
export function integerDot(): i32 {
  return dotKind;
}

// @ts-ignore: decorator
@inline function roundUp(n: i32, m: i32): i32 {
  return (n + m - 1) / m * m;
}

/** Bytes of a packed matrix's header: N16 scales, then N16 row sums (64-byte aligned). */
// @ts-ignore: decorator
@inline function headerBytes(N: i32): usize {
  return (<usize>roundUp(N, 16) * 8 + 63) & ~(<usize>63);
}

/** Bytes packInt8 writes for an N × K matrix. */
export function int8PackedBytes(N: i32, K: i32): usize {
  return headerBytes(N) + <usize>roundUp(N, 16) * <usize>roundUp(K, 4);
}

/** Bytes of workspace int8Product needs for rows of K values (the quantized rows of one chunk). */
export function int8WorkspaceBytes(K: i32): usize {
  return <usize>CHUNK_ROWS * (<usize>roundUp(K, 4) + 4);
}

/**
 * Packs W [N × K] int8 (W(n, k) = src[n·rs + k·cs]) and its row scales at dst, in the layout the
 * products read. Returns dst.
 */
export function packInt8(N: i32, K: i32, src: usize, rs: i32, cs: i32, scales: usize, dst: usize): usize {
  let N16 = roundUp(N, 16), K4 = roundUp(K, 4), groups = K4 >> 2;
  let sums = dst + (<usize>N16 << 2);
  for (let n = 0; n < N16; n++) {
    let sum = 0;
    for (let k = 0; n < N && k < K; k++) sum += <i32>load<i8>(src + <usize>(n * rs + k * cs));
    store<f32>(dst + (<usize>n << 2), n < N ? load<f32>(scales + (<usize>n << 2)) : 0);
    store<i32>(sums + (<usize>n << 2), sum);
  }
  let blocks = dst + headerBytes(N);
  for (let j = 0; j < N16 >> 4; j++) {
    for (let g = 0; g < groups; g++) {
      let at = blocks + ((<usize>(j * groups + g)) << 6);
      for (let i = 0; i < 16; i++) {
        let n = (j << 4) + i;
        for (let kk = 0; kk < 4; kk++) {
          let k = (g << 2) + kk;
          let value: i8 = n < N && k < K ? load<i8>(src + <usize>(n * rs + k * cs)) : 0;
          store<i8>(at + <usize>((i << 2) + kk), value);
        }
      }
    }
  }
  return dst;
}

/** Quantizes row x[0…K) to 7 bits at dst as q + 64 (K4 bytes, q = 0 past K); returns its scale (0
 *  for a zero row). */
function quantizeRow(K: i32, x: usize, dst: usize): f32 {
  let K4 = roundUp(K, 4);
  let offset = i8x16.splat(<i8>ACTIVATION_OFFSET);
  let m4 = f32x4.splat(0);
  let k = 0;
  for (; k + 4 <= K; k += 4) m4 = f32x4.pmax(m4, f32x4.abs(v128.load(x + (<usize>k << 2))));
  let m = max(max(f32x4.extract_lane(m4, 0), f32x4.extract_lane(m4, 1)), max(f32x4.extract_lane(m4, 2), f32x4.extract_lane(m4, 3)));
  for (; k < K; k++) m = max(m, abs<f32>(load<f32>(x + (<usize>k << 2))));
  if (!(m > 0)) {
    memory.fill(dst, <u8>ACTIVATION_OFFSET, <usize>K4);
    return 0;
  }
  let inverse = ACTIVATION_MAX / m;
  let inverse4 = f32x4.splat(inverse);
  k = 0;
  for (; k + 16 <= K; k += 16) {
    let at = x + (<usize>k << 2);
    let q0 = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v128.load(at), inverse4)));
    let q1 = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v128.load(at, 16), inverse4)));
    let q2 = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v128.load(at, 32), inverse4)));
    let q3 = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v128.load(at, 48), inverse4)));
    v128.store(dst + <usize>k, i8x16.add(i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(q0, q1), i16x8.narrow_i32x4_s(q2, q3)), offset));
  }
  for (; k < K; k++) store<i8>(dst + <usize>k, <i8>(<i32>nearest<f32>(load<f32>(x + (<usize>k << 2)) * inverse) + ACTIVATION_OFFSET));
  for (; k < K4; k++) store<i8>(dst + <usize>k, <i8>ACTIVATION_OFFSET);
  return m / ACTIVATION_MAX;
}

/** y[0…count) (+)= f32(sums − 64·rowSums) · (sx · sw) for four outputs (count < 4 at the end of a
 *  row): the header holds their scales at sw and their row sums N16 entries further. */
// @ts-ignore: decorator
@inline function storeFour(sums: v128, sx: f32, sw: usize, N16: i32, y: usize, count: i32, accumulate: i32): void {
  let exact = i32x4.sub(sums, i32x4.shl(v128.load(sw + (<usize>N16 << 2)), 6));
  let value = f32x4.mul(f32x4.convert_i32x4_s(exact), f32x4.mul(f32x4.splat(sx), v128.load(sw)));
  if (count >= 4) {
    v128.store(y, accumulate ? f32x4.add(v128.load(y), value) : value);
    return;
  }
  for (let i = 0; i < count; i++) {
    let v = f32x4.extract_lane(value, 0);
    if (i == 1) v = f32x4.extract_lane(value, 1);
    if (i == 2) v = f32x4.extract_lane(value, 2);
    let at = y + (<usize>i << 2);
    store<f32>(at, accumulate ? load<f32>(at) + v : v);
  }
}

/** The four outputs of block output vector m that are real (N − n of them at the end). */
// @ts-ignore: decorator
@inline function valid(n: i32, N: i32): i32 {
  return min(4, N - n);
}

/** Adds the lanes of lo and hi pairwise: [lo0+lo1, lo2+lo3, hi0+hi1, hi2+hi3] (the i16 dot's outputs). */
// @ts-ignore: decorator
@inline function pairSums(lo: v128, hi: v128): v128 {
  let evens = i8x16.shuffle(lo, hi, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
  let odds = i8x16.shuffle(lo, hi, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
  return i32x4.add(evens, odds);
}

/** acc + the relaxed i8·i7 dot of w and x (x's bytes in [0, 127]), into i32 directly (`direct`) or
 *  through the i16 form widened pairwise. Only in relaxed builds; constant-folded per caller. */
// @ts-ignore: decorator
@inline function relaxedDotAdd(direct: bool, w: v128, x: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    if (direct) return i32x4.relaxed_dot_i8x16_i7x16_add_s(w, x, acc);
    return i32x4.add(acc, i32x4.extadd_pairwise_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(w, x)));
  }
  return acc;
}

/** The four quantized k of group g of a row, as a splat for the relaxed dot. */
// @ts-ignore: decorator
@inline function groupOf(row: usize, g: i32): v128 {
  return i32x4.splat(load<i32>(row + (<usize>g << 2)));
}

/** One block of 16 outputs for two quantized rows (xb = 0: one row), relaxed dot. */
// @ts-ignore: decorator
@inline function blockRelaxed(direct: bool, groups: i32, xa: usize, xb: usize, w: usize, sa: f32, sb: f32, sw: usize, N16: i32,
                              n: i32, N: i32, ya: usize, yb: usize, accumulate: i32): void {
  let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
  for (let g = 0; g < groups; g++) {
    let at = w + (<usize>g << 6);
    let w0 = v128.load(at), w1 = v128.load(at, 16), w2 = v128.load(at, 32), w3 = v128.load(at, 48);
    let xA = groupOf(xa, g);
    a0 = relaxedDotAdd(direct, w0, xA, a0);
    a1 = relaxedDotAdd(direct, w1, xA, a1);
    a2 = relaxedDotAdd(direct, w2, xA, a2);
    a3 = relaxedDotAdd(direct, w3, xA, a3);
    if (xb != 0) {
      let xB = groupOf(xb, g);
      b0 = relaxedDotAdd(direct, w0, xB, b0);
      b1 = relaxedDotAdd(direct, w1, xB, b1);
      b2 = relaxedDotAdd(direct, w2, xB, b2);
      b3 = relaxedDotAdd(direct, w3, xB, b3);
    }
  }
  storeFour(a0, sa, sw, N16, ya, valid(n, N), accumulate);
  storeFour(a1, sa, sw + 16, N16, ya + 16, valid(n + 4, N), accumulate);
  storeFour(a2, sa, sw + 32, N16, ya + 32, valid(n + 8, N), accumulate);
  storeFour(a3, sa, sw + 48, N16, ya + 48, valid(n + 12, N), accumulate);
  if (xb == 0) return;
  storeFour(b0, sb, sw, N16, yb, valid(n, N), accumulate);
  storeFour(b1, sb, sw + 16, N16, yb + 16, valid(n + 4, N), accumulate);
  storeFour(b2, sb, sw + 32, N16, yb + 32, valid(n + 8, N), accumulate);
  storeFour(b3, sb, sw + 48, N16, yb + 48, valid(n + 12, N), accumulate);
}

function blockRelaxedDirect(groups: i32, xa: usize, xb: usize, w: usize, sa: f32, sb: f32, sw: usize, N16: i32, n: i32, N: i32, ya: usize, yb: usize, accumulate: i32): void {
  blockRelaxed(true, groups, xa, xb, w, sa, sb, sw, N16, n, N, ya, yb, accumulate);
}

function blockRelaxedWidened(groups: i32, xa: usize, xb: usize, w: usize, sa: f32, sb: f32, sw: usize, N16: i32, n: i32, N: i32, ya: usize, yb: usize, accumulate: i32): void {
  blockRelaxed(false, groups, xa, xb, w, sa, sb, sw, N16, n, N, ya, yb, accumulate);
}

/** Eight outputs (vectors m0, m0 + 1 of a block) for two quantized rows (xb = 0: one row), plain-SIMD
 *  i16 dot: an output's four k of a group are two i16 pairs, summed pairwise at the end. */
function halfBlockI16(groups: i32, xa: usize, xb: usize, w: usize, sa: f32, sb: f32, sw: usize, N16: i32, n: i32, N: i32,
                      ya: usize, yb: usize, accumulate: i32): void {
  let aL0 = i32x4.splat(0), aH0 = aL0, aL1 = aL0, aH1 = aL0, bL0 = aL0, bH0 = aL0, bL1 = aL0, bH1 = aL0;
  for (let g = 0; g < groups; g++) {
    let at = w + (<usize>g << 6);
    let w0 = v128.load(at), w1 = v128.load(at, 16);
    let l0 = i16x8.extend_low_i8x16_s(w0), h0 = i16x8.extend_high_i8x16_s(w0);
    let l1 = i16x8.extend_low_i8x16_s(w1), h1 = i16x8.extend_high_i8x16_s(w1);
    let xA = i16x8.extend_low_i8x16_u(groupOf(xa, g));
    aL0 = i32x4.add(aL0, i32x4.dot_i16x8_s(l0, xA));
    aH0 = i32x4.add(aH0, i32x4.dot_i16x8_s(h0, xA));
    aL1 = i32x4.add(aL1, i32x4.dot_i16x8_s(l1, xA));
    aH1 = i32x4.add(aH1, i32x4.dot_i16x8_s(h1, xA));
    if (xb != 0) {
      let xB = i16x8.extend_low_i8x16_u(groupOf(xb, g));
      bL0 = i32x4.add(bL0, i32x4.dot_i16x8_s(l0, xB));
      bH0 = i32x4.add(bH0, i32x4.dot_i16x8_s(h0, xB));
      bL1 = i32x4.add(bL1, i32x4.dot_i16x8_s(l1, xB));
      bH1 = i32x4.add(bH1, i32x4.dot_i16x8_s(h1, xB));
    }
  }
  storeFour(pairSums(aL0, aH0), sa, sw, N16, ya, valid(n, N), accumulate);
  storeFour(pairSums(aL1, aH1), sa, sw + 16, N16, ya + 16, valid(n + 4, N), accumulate);
  if (xb == 0) return;
  storeFour(pairSums(bL0, bH0), sb, sw, N16, yb, valid(n, N), accumulate);
  storeFour(pairSums(bL1, bH1), sb, sw + 16, N16, yb + 16, valid(n + 4, N), accumulate);
}

/** One block of 16 outputs for two quantized rows (xb = 0: one row) with the inner product in use. */
function block(groups: i32, xa: usize, xb: usize, w: usize, sa: f32, sb: f32, sw: usize, N16: i32, n: i32, N: i32, ya: usize, yb: usize, accumulate: i32): void {
  if (dotKind == DOT_RELAXED) {
    blockRelaxedDirect(groups, xa, xb, w, sa, sb, sw, N16, n, N, ya, yb, accumulate);
  } else if (dotKind == DOT_RELAXED_I16) {
    blockRelaxedWidened(groups, xa, xb, w, sa, sb, sw, N16, n, N, ya, yb, accumulate);
  } else {
    halfBlockI16(groups, xa, xb, w, sa, sb, sw, N16, n, N, ya, yb, accumulate);
    if (n + 8 < N) halfBlockI16(groups, xa, xb, w + 32, sa, sb, sw + 32, N16, n + 8, N, ya + 32, yb + 32, accumulate);
  }
}

/**
 * y[r, n] (row stride ldy) (+)= Σ_k x[r, k] · W[n, k] for r < R, n < N: W packed by packInt8, x
 * (row stride ldx floats) quantized a chunk of rows at a time into `work` (int8WorkspaceBytes(K)).
 */
export function int8Product(R: i32, N: i32, K: i32, x: usize, ldx: i32, packed: usize, y: usize, ldy: i32, accumulate: i32, work: usize): void {
  let K4 = roundUp(K, 4), groups = K4 >> 2, N16 = roundUp(N, 16);
  let scales = work, rows = work + (<usize>CHUNK_ROWS << 2);
  let blocks = packed + headerBytes(N), blockBytes = <usize>K4 << 4;
  for (let r0 = 0; r0 < R; r0 += CHUNK_ROWS) {
    let count = min(CHUNK_ROWS, R - r0);
    for (let r = 0; r < count; r++) {
      store<f32>(scales + (<usize>r << 2), quantizeRow(K, x + (<usize>((r0 + r) * ldx) << 2), rows + <usize>(r * K4)));
    }
    for (let n = 0; n < N16; n += 16) {
      let w = blocks + <usize>(n >> 4) * blockBytes, sw = packed + (<usize>n << 2);
      for (let r = 0; r < count; r += 2) {
        let two = r + 1 < count;
        let xa = rows + <usize>(r * K4), xb = two ? xa + <usize>K4 : 0;
        let sa = load<f32>(scales + (<usize>r << 2)), sb = two ? load<f32>(scales + (<usize>(r + 1) << 2)) : 0;
        let ya = y + (<usize>((r0 + r) * ldy + n) << 2), yb = ya + (<usize>ldy << 2);
        block(groups, xa, xb, w, sa, sb, sw, N16, n, N, ya, yb, accumulate);
      }
    }
  }
}
