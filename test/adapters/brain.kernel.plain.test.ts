// assembly/brain.ts's kernels against the naive reference of brain.js's equations on the plain-SIMD
// build (its multiply-adds through float64, exactly brain.js's): test/suites/brain-kernels.ts.

import { brainKernelSuite } from "../suites/brain-kernels.js";

brainKernelSuite("plain");
