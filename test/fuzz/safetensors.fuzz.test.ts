// Coverage-guided fuzzing of the safetensors reader (readSafetensors) from test/fixtures/fuzz/safetensors.

import { fuzzTest } from "./harness.js";

fuzzTest("safetensors", 1);
