// The recurrent case table and the Dense table, quantized, with the plain-SIMD build.
import { quantizedLayerSuite } from "../suites/quantized-layers.js";

quantizedLayerSuite("plain");
