// The recurrent case table and the Dense table, quantized, with the relaxed-SIMD build.
import { quantizedLayerSuite } from "../suites/quantized-layers.js";

quantizedLayerSuite("relaxed");
