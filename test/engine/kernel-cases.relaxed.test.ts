// Every row of the kernel case tables (test/cases/<family>.json) on the relaxed-SIMD test build, one
// thread, against the naive references, guard bytes checked after every call (test/suites/kernel-cases.ts).

import { kernelCasesSuite } from "../suites/kernel-cases.js";
import { KERNEL_FAMILIES } from "../suites/kernels/families.js";

kernelCasesSuite("relaxed", KERNEL_FAMILIES);
