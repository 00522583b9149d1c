// PyTorch fixtures with the plain-SIMD build.
import { recurrentPytorchSuite } from "../suites/recurrent-pytorch.js";

recurrentPytorchSuite("plain");
