// wasm-rnn/tfjs against tfjs itself on tfjs's cpu backend (test/suites/tfjs-predict.ts).
import { tfjsPredictSuite } from "../suites/tfjs-predict.js";

tfjsPredictSuite("cpu");
