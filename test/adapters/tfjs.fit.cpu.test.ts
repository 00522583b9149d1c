// wasm-rnn/tfjs against tfjs itself on tfjs's cpu backend (test/suites/tfjs-fit.ts).
import { tfjsFitSuite } from "../suites/tfjs-fit.js";

tfjsFitSuite("cpu");
