// Naive scalar references for assembly/elementwise.ts: one element at a time, every index decoded from
// the flat output index, the math in float64 and rounded once. They are the oracles of the specs (and
// unaryNaive the float64 truth the accuracy sweeps measure against). Test-only: never exported from
// assembly/index.ts.

// @ts-ignore: decorator
@inline function f(p: usize, i: i32): f64 {
  return <f64>load<f32>(p + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function put(p: usize, i: i32, v: f64): void {
  store<f32>(p + (<usize>i << 2), <f32>v);
}

// @ts-ignore: decorator
@inline function field(desc: usize, i: i32): i32 {
  return load<i32>(desc + (<usize>i << 2));
}

/** erf in float64: the Maclaurin series below 4 (terms shrink from the start for |x| ≤ 1 and the
 *  largest term is below e^16 ≈ 9e6, so ~1e-9 absolute at worst — far under float32's 6e-8), and
 *  1 − the asymptotic series of erfc above (erfc(4) = 1.5e-8 already rounds to 1). */
export function erf64(x: f64): f64 {
  if (isNaN(x)) return x;
  let t = Math.abs(x);
  let r: f64;
  if (t < 4) {
    let term = t, sum = t, x2 = t * t;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / <f64>n;
      let add = term / <f64>(2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    r = sum * 1.1283791670955126; // 2/√π
  } else {
    let x2 = t * t;
    r = 1 - Math.exp(-x2) / (t * 1.7724538509055159) * (1 - 1 / (2 * x2) + 3 / (4 * x2 * x2));
  }
  return x < 0 ? -r : r;
}

/** One unary op in float64 (the ops of elementwise.ts's unary). */
export function unary64(op: i32, x: f64, alpha: f64, beta: f64): f64 {
  switch (op) {
    case 0: return x;
    case 1: return x < 0 ? 0 : x;
    case 2: return 1 / (1 + Math.exp(-x));
    case 3: return Math.tanh(x);
    case 4: return Math.exp(x);
    case 5: return Math.log(x);
    case 6: return Math.sqrt(x);
    case 7: return Math.abs(x);
    case 8: return -x;
    case 9: return 1 / x;
    case 10: return erf64(x);
    case 11: return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    case 12: { if (isNaN(x)) return x; let v = alpha * x + beta; return v < 0 ? 0 : v > 1 ? 1 : v; }
    case 13: return x < 0 ? alpha * x : x;
    case 14: { if (isNaN(x)) return x; let v = x < alpha ? alpha : x; return v > beta ? beta : v; }
    case 15: return x * x;
    case 16: return Math.pow(x, alpha);
    case 17: return alpha * x + beta;
    case 18: return Math.floor(x);
    case 19: return Math.ceil(x);
    case 20: return nearest<f64>(x);
    default: return x > 0 ? 1 : x < 0 ? -1 : x; // 21 sign (±0 and NaN stay)
  }
}

/** y[i] = op(x[i]) computed in float64. */
export function unaryNaive(op: i32, n: i32, x: usize, y: usize, alpha: f32, beta: f32): void {
  for (let i = 0; i < n; i++) put(y, i, unary64(op, f(x, i), alpha, beta));
}

/** One binary op in float64 (pow and fmod in float32: powf / fmodf semantics). */
export function binary64(op: i32, a: f64, b: f64): f64 {
  switch (op) {
    case 0: return a + b;
    case 1: return a - b;
    case 2: return a * b;
    case 3: return a / b;
    case 4: return Math.pow(a, b);
    case 5: return isNaN(a) || isNaN(b) ? NaN : Math.max(a, b);
    case 6: return isNaN(a) || isNaN(b) ? NaN : Math.min(a, b);
    case 7: return a < 0 ? b * a : a;
    default: return Math.mod(a, b);
  }
}

/** y [dims] = a op b with numpy broadcasting; desc as binary's (rank, dims, aStrides, bStrides). */
export function binaryNaive(op: i32, desc: usize, a: usize, b: usize, y: usize): void {
  let r = field(desc, 0), total = 1;
  for (let k = 0; k < r; k++) total *= field(desc, 1 + k);
  for (let e = 0; e < total; e++) {
    let t = e, ia = 0, ib = 0;
    for (let k = r - 1; k >= 0; k--) {
      let d = field(desc, 1 + k), c = t % d;
      t /= d;
      ia += c * field(desc, 1 + r + k);
      ib += c * field(desc, 1 + 2 * r + k);
    }
    put(y, e, binary64(op, f(a, ia), f(b, ib)));
  }
}

/** reduce's oracle, float64 accumulation. */
export function reduceNaive(op: i32, outer: i32, n: i32, inner: i32, x: usize, y: usize): void {
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      let acc: f64 = op == 2 ? -Infinity : op == 3 ? Infinity : op == 7 ? 1 : 0;
      let m: f64 = -Infinity;
      for (let k = 0; k < n; k++) {
        let v = f(x, (o * n + k) * inner + i);
        if (op == 2) acc = isNaN(v) || isNaN(acc) ? NaN : Math.max(acc, v);
        else if (op == 3) acc = isNaN(v) || isNaN(acc) ? NaN : Math.min(acc, v);
        else if (op == 4 || op == 5) acc += v * v;
        else if (op == 6) m = isNaN(v) || isNaN(m) ? NaN : Math.max(m, v);
        else if (op == 7) acc *= v;
        else acc += v;
      }
      if (op == 6) {
        if (!isFinite(m)) acc = m;
        else {
          for (let k = 0; k < n; k++) acc += Math.exp(f(x, (o * n + k) * inner + i) - m);
          acc = m + Math.log(acc);
        }
      }
      if (op == 1) acc /= <f64>n;
      if (op == 5) acc = Math.sqrt(acc);
      put(y, o * inner + i, acc);
    }
}

/** y = x·scale[c] + shift[c] over [batch, C, inner]. */
export function channelAffineNaive(batch: i32, C: i32, inner: i32, x: usize, scale: usize, shift: usize, y: usize): void {
  for (let b = 0; b < batch; b++)
    for (let c = 0; c < C; c++)
      for (let i = 0; i < inner; i++) {
        let e = (b * C + c) * inner + i;
        put(y, e, f(x, e) * f(scale, c) + f(shift, c));
      }
}

/** layerNorm's oracle in float64. */
export function layerNormNaive(rows: i32, cols: i32, x: usize, scale: usize, bias: usize, eps: f32, y: usize,
                               mean: usize, invStd: usize): void {
  for (let r = 0; r < rows; r++) {
    let mu: f64 = 0, v: f64 = 0;
    for (let j = 0; j < cols; j++) mu += f(x, r * cols + j);
    mu /= <f64>cols;
    for (let j = 0; j < cols; j++) { let d = f(x, r * cols + j) - mu; v += d * d; }
    v /= <f64>cols;
    let inv = 1 / Math.sqrt(v + <f64>eps);
    for (let j = 0; j < cols; j++) {
      let s = scale != 0 ? f(scale, j) : 1, b = bias != 0 ? f(bias, j) : 0;
      put(y, r * cols + j, (f(x, r * cols + j) - mu) * inv * s + b);
    }
    if (mean != 0) put(mean, r, mu);
    if (invStd != 0) put(invStd, r, inv);
  }
}

/** copyStrided's oracle: every element's x and y offsets decoded from its flat index. */
export function copyStridedNaive(desc: usize, x: usize, y: usize): void {
  let r = field(desc, 0), total = 1;
  for (let k = 0; k < r; k++) total *= field(desc, 1 + k);
  for (let e = 0; e < total; e++) {
    let t = e, ix = 0, iy = 0;
    for (let k = r - 1; k >= 0; k--) {
      let d = field(desc, 1 + k), c = t % d;
      t /= d;
      ix += c * field(desc, 1 + r + k);
      iy += c * field(desc, 1 + 2 * r + k);
    }
    store<i32>(y + (<usize>iy << 2), load<i32>(x + (<usize>ix << 2)));
  }
}

/** numpy's source index for pad mode 1 reflect, 2 edge, 3 wrap, by walking (not by formula); −1 = constant. */
function padIndex(i: i32, n: i32, mode: i32): i32 {
  if (i >= 0 && i < n) return i;
  if (mode == 0) return -1;
  if (mode == 2) return i < 0 ? 0 : n - 1;
  if (mode == 3) { while (i < 0) i += n; while (i >= n) i -= n; return i; }
  if (n == 1) return 0;
  // Bounce off the ends until inside.
  while (i < 0 || i >= n) {
    if (i < 0) i = -i;
    if (i >= n) i = 2 * (n - 1) - i;
  }
  return i;
}

/** pad's oracle: desc rank r, inDims[r], before[r], after[r]; 4-byte elements. */
export function padNaive(desc: usize, x: usize, y: usize, mode: i32, value: f32): void {
  let r = field(desc, 0), total = 1;
  for (let k = 0; k < r; k++) total *= field(desc, 1 + k) + field(desc, 1 + r + k) + field(desc, 1 + 2 * r + k);
  for (let e = 0; e < total; e++) {
    let t = e, ix = 0, stride = 1, inside = true;
    for (let k = r - 1; k >= 0; k--) {
      let n = field(desc, 1 + k), before = field(desc, 1 + r + k), d = n + before + field(desc, 1 + 2 * r + k);
      let i = padIndex(t % d - before, n, mode);
      t /= d;
      if (i < 0) inside = false;
      ix += i * stride;
      stride *= n;
    }
    store<i32>(y + (<usize>e << 2), inside ? load<i32>(x + (<usize>ix << 2)) : reinterpret<i32>(value));
  }
}
