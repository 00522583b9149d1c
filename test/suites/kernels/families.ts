// Every kernel family with a case table, in the order the suites run them. The thread team runs the
// dense layer's kernels (float32 forward and backward, int8 forward): the dense and int8 families;
// embedding, attention, losses, optimizers and convolution have no team path (their kernels always run
// on the calling thread).

import { attentionFamily } from "./attention.js";
import { convFamily } from "./conv.js";
import { denseFamily } from "./dense.js";
import { embeddingFamily } from "./embedding.js";
import type { KernelFamily } from "./family.js";
import { int8Family } from "./int8.js";
import { lossesFamily } from "./losses.js";
import { optimizersFamily } from "./optimizers.js";

export const KERNEL_FAMILIES: readonly KernelFamily[] = [denseFamily, int8Family, embeddingFamily, attentionFamily, lossesFamily, optimizersFamily, convFamily];
