// Coverage-guided fuzzing of tfjs-layers loading (loadLayersModel: model.json + weights) from test/fixtures/fuzz/keras.

import { fuzzTest } from "./harness.js";

fuzzTest("keras", 3);
