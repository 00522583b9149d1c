// Copying blocks of row-major tensors along one axis, for any element type: joining parts (equal but
// for that axis) into one, and cutting a run of that axis out. The servers' batchers join concurrent
// calls into a batch and cut the results back apart (batch-slices.ts for the recurrent layers'
// tensors, stream-batcher.ts for ONNX tensors of any type).

/** What is used of a typed array: any of them fits. */
export interface Elements<T> {
  subarray(begin: number, end: number): T;
  set(values: T, offset: number): void;
}

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** `parts` ([…, n_k, …] each, row-major, equal off `axis`) joined along `axis` into `into`. */
export function joinAlong<T extends Elements<T>>(parts: readonly { data: T; dims: readonly number[] }[], axis: number, into: T): void {
  const dims = parts[0].dims, outer = product(dims.slice(0, axis)), inner = product(dims.slice(axis + 1));
  let offset = 0;
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const block = p.dims[axis] * inner;
      into.set(p.data.subarray(o * block, (o + 1) * block), offset);
      offset += block;
    }
  }
}

/** Indices [start, start + size) of `axis` of `from` (row-major, of `dims`) copied into `into`. */
export function sliceAlong<T extends Elements<T>>(from: T, dims: readonly number[], axis: number, start: number, size: number, into: T): void {
  const outer = product(dims.slice(0, axis)), inner = product(dims.slice(axis + 1)), n = dims[axis];
  for (let o = 0; o < outer; o++) into.set(from.subarray((o * n + start) * inner, (o * n + start + size) * inner), o * size * inner);
}
