// The UnsortedSegmentSum kernel for tfjs-backend-wasm, which 4.22 lacks (tensorflow/tfjs#8082) and
// the embedding layer's gradient (tf.gather's) needs: out[segmentIds[i], …] += x[i, …], written in
// JavaScript on the backend's own heap arrays. For the language model it sums 2048 rows of 64 floats,
// a negligible part of a training step.

import * as tf from "@tensorflow/tfjs-core";

function unsortedSegmentSum({ inputs: { x, segmentIds }, attrs: { numSegments }, backend }) {
  const rows = tf.util.sizeFromShape(segmentIds.shape);
  const inner = tf.util.sizeFromShape(x.shape) / rows;
  const out = backend.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
  const values = backend.typedArrayFromHeap(x), ids = backend.typedArrayFromHeap(segmentIds), sums = backend.typedArrayFromHeap(out);
  sums.fill(0);
  for (let i = 0; i < rows; i++) {
    const segment = ids[i];
    if (segment < 0 || segment >= numSegments) continue; // as TensorFlow: ids outside [0, numSegments) are dropped
    for (let j = 0; j < inner; j++) sums[segment * inner + j] += values[i * inner + j];
  }
  return out;
}

/** Registers the kernel unless the backend already has one. */
export function registerSegmentSum() {
  if (!tf.getKernel(tf.UnsortedSegmentSum, "wasm")) tf.registerKernel({ kernelName: tf.UnsortedSegmentSum, backendName: "wasm", kernelFunc: unsortedSegmentSum });
}
