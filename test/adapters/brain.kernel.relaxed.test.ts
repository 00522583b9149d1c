// assembly/brain.ts's kernels against the naive reference of brain.js's equations on the relaxed-SIMD
// build (its multiply-adds fused where the engine fuses them): test/suites/brain-kernels.ts.

import { brainKernelSuite } from "../suites/brain-kernels.js";

brainKernelSuite("relaxed");
