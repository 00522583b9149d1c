// The recurrent case table against the float64 reference with the relaxed-SIMD build (fused multiply-add).
import { recurrentReferenceSuite } from "../suites/recurrent-reference.js";

recurrentReferenceSuite("relaxed");
