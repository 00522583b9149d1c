// wasm-rnn/tfjs against tfjs itself on tfjs's wasm backend (@tensorflow/tfjs-backend-wasm, in Node;
// test/suites/tfjs-fit.ts): the bridge reads and writes that backend's tensors in place of its kernels.
import "@tensorflow/tfjs-backend-wasm";
import { tfjsFitSuite } from "../suites/tfjs-fit.js";

tfjsFitSuite("wasm");
