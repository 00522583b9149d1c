// The recurrent case table against the float64 reference with the plain-SIMD build.
import { recurrentReferenceSuite } from "../suites/recurrent-reference.js";

recurrentReferenceSuite("plain");
