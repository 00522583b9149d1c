// Coverage-guided fuzzing of ONNX loading (onnx.InferenceSession.create) from test/fixtures/fuzz/onnx.

import { fuzzTest } from "./harness.js";

fuzzTest("onnx", 2);
