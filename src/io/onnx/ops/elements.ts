// Moving elements of a tensor of any type: strided index maps (for transposes, slices and numpy
// broadcasting), gathering elements through such a map, transposing, and copies with new dims.

import { ShapeError } from "../../../errors.js";
import { allocate, elementCount, OnnxTensor, type OnnxDataTypes, type OnnxType } from "../tensor.js";

/** Indexable elements of any ONNX tensor's data (all three typed arrays fit). */
interface Elements {
  [i: number]: number | bigint;
  readonly length: number;
}

/** Row-major strides of dims. */
export function stridesOf(dims: readonly number[]): number[] {
  const strides = new Array<number>(dims.length);
  for (let k = dims.length - 1, s = 1; k >= 0; k--) {
    strides[k] = s;
    s *= dims[k];
  }
  return strides;
}

/** For every index of a tensor of `dims` in row-major order: offset + Σ index_k · strides_k. */
export function stridedIndex(dims: readonly number[], strides: readonly number[], offset: number, what: string): Int32Array {
  const out = new Int32Array(elementCount(dims, what));
  const rank = dims.length;
  const counter = new Array<number>(rank).fill(0);
  let at = offset;
  for (let i = 0; i < out.length; i++) {
    out[i] = at;
    for (let k = rank - 1; k >= 0; k--) {
      if (++counter[k] < dims[k]) {
        at += strides[k];
        break;
      }
      at -= strides[k] * (dims[k] - 1);
      counter[k] = 0;
    }
  }
  return out;
}

export function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The dims two shapes broadcast to (numpy rules), or a ShapeError. */
export function broadcastDims(a: readonly number[], b: readonly number[], what: string): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let k = 0; k < rank; k++) {
    const da = a[a.length - rank + k] ?? 1, db = b[b.length - rank + k] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new ShapeError(`${what}: shapes [${a.join(", ")}] and [${b.join(", ")}] do not broadcast`);
    out[k] = da === 1 ? db : da;
  }
  return out;
}

/** For every element of a tensor of dims `to`, the flat index it reads in a tensor of dims `from` broadcast to it. */
export function broadcastIndex(from: readonly number[], to: readonly number[], what: string): Int32Array {
  const fromStrides = stridesOf(from);
  const strides = to.map((_, k) => {
    const j = k - (to.length - from.length);
    return j < 0 || from[j] === 1 ? 0 : fromStrides[j];
  });
  return stridedIndex(to, strides, 0, what);
}

type ElementOf<T extends OnnxType> = OnnxDataTypes[T][number];

/** f applied element-wise to a and b broadcast together (numpy rules), into a new tensor of type `to`. */
export function mapBroadcast<A extends OnnxType, B extends OnnxType, T extends OnnxType>(
  a: OnnxTensor<A>, b: OnnxTensor<B>, to: T, f: (x: ElementOf<A>, y: ElementOf<B>) => ElementOf<T>, what: string,
): OnnxTensor<T> {
  const dims = broadcastDims(a.dims, b.dims, what);
  const out = allocate(to, dims, what);
  const ia = sameDims(a.dims, dims) ? null : broadcastIndex(a.dims, dims, what);
  const ib = sameDims(b.dims, dims) ? null : broadcastIndex(b.dims, dims, what);
  const x = a.data as unknown as ArrayLike<ElementOf<A>>, y = b.data as unknown as ArrayLike<ElementOf<B>>;
  const z = out.data as unknown as { [i: number]: ElementOf<T> };
  for (let i = 0; i < out.size; i++) z[i] = f(x[ia ? ia[i] : i], y[ib ? ib[i] : i]);
  return out;
}

/** A tensor of `dims` whose element i is src's element index[i]. */
export function take<T extends OnnxType>(src: OnnxTensor<T>, index: ArrayLike<number>, dims: readonly number[], what: string): OnnxTensor<T> {
  const out = allocate(src.type, dims, what);
  const from: Elements = src.data, to: Elements = out.data;
  for (let i = 0; i < index.length; i++) to[i] = from[index[i]];
  return out;
}

/** src with its axes permuted: output axis k is input axis perm[k]. */
export function transpose<T extends OnnxType>(src: OnnxTensor<T>, perm: readonly number[], what: string): OnnxTensor<T> {
  const dims = perm.map((p) => src.dims[p]);
  // Moving only axes of size 1 leaves every element where it was.
  const moved = perm.filter((p) => src.dims[p] !== 1);
  if (moved.every((p, i) => i === 0 || p > moved[i - 1])) return reshaped(src, dims, what);
  const strides = stridesOf(src.dims);
  return take(src, stridedIndex(dims, perm.map((p) => strides[p]), 0, what), dims, what);
}

/** A copy of src with other dims of the same size (Reshape, Squeeze, Identity, …). */
export function reshaped<T extends OnnxType>(src: OnnxTensor<T>, dims: readonly number[], what: string): OnnxTensor<T> {
  if (elementCount(dims, what) !== src.size) throw new ShapeError(`${what}: cannot reshape [${src.dims.join(", ")}] (${src.size} elements) to [${dims.join(", ")}]`);
  return new OnnxTensor(src.type, src.data.slice() as OnnxDataTypes[T], dims);
}

/** Copies n elements of src (from srcStart) into dst (from dstStart); both tensors of the same type. */
export function copyElements<T extends OnnxType>(src: OnnxTensor<T>, srcStart: number, dst: OnnxTensor<T>, dstStart: number, n: number): void {
  const from: Elements = src.data, to: Elements = dst.data;
  for (let i = 0; i < n; i++) to[dstStart + i] = from[srcStart + i];
}
