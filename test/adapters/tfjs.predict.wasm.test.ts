// wasm-rnn/tfjs against tfjs itself on tfjs's wasm backend (@tensorflow/tfjs-backend-wasm, in Node;
// test/suites/tfjs-predict.ts): the bridge reads and writes that backend's tensors in place of its kernels.
import "@tensorflow/tfjs-backend-wasm";
import { tfjsPredictSuite } from "../suites/tfjs-predict.js";

tfjsPredictSuite("wasm");
