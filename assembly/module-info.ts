// What the engine reads of the module itself: where its static data ends (the engine allocates
// above it) and which features it was compiled with.

/** The features this build was compiled with: bit 0 relaxed SIMD, bit 1 shared memory (threads).
 *  The engine reads them from a module the host compiled (init({ module })). */
export function buildFeatures(): i32 {
  return (ASC_FEATURE_RELAXED_SIMD ? 1 : 0) | (ASC_FEATURE_THREADS ? 2 : 0);
}


/** First byte after the module's static data (Math's lookup tables): the engine allocates above it. */
export function heapBase(): usize {
  return __heap_base;
}
