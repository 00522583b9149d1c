// PyTorch fixtures with the relaxed-SIMD build (fused multiply-add).
import { recurrentPytorchSuite } from "../suites/recurrent-pytorch.js";

recurrentPytorchSuite("relaxed");
