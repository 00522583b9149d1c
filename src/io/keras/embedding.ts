// Keras Embedding on our Embedding layer: the table [input_dim, output_dim] as it is, ids given as
// the numbers of a float tensor (integers in 0…input_dim−1), and with mask_zero the mask id ≠ 0 that
// recurrent layers downstream skip.

import { Embedding } from "../../layers/embedding.js";
import { checkInputCount, checkSymbolic, layerLabel, type KerasLayer, type SymbolicTensor, type Value } from "./layer.js";
import type { LayerEntry } from "./topology.js";
import type { WeightStore } from "./weights.js";

/** A new Embedding holding `table` (disposed again if loading fails). */
function embeddingOf(numEmbeddings: number, embeddingDim: number, table: Parameters<Embedding["loadStateDict"]>[0]["weight"]): Embedding {
  const embedding = new Embedding({ numEmbeddings, embeddingDim });
  try {
    embedding.loadStateDict({ weight: table });
  } catch (e) {
    embedding.dispose();
    throw e;
  }
  return embedding;
}

function copyOf(embedding: Embedding): Embedding {
  return embeddingOf(embedding.numEmbeddings, embedding.embeddingDim, embedding.stateDict().weight);
}

class KerasEmbedding implements KerasLayer {
  private readonly label: string;

  constructor(private readonly entry: LayerEntry, private readonly embedding: Embedding, private readonly maskZero: boolean) {
    this.label = layerLabel(entry);
  }

  static fromWeights(entry: LayerEntry, weights: WeightStore): KerasEmbedding {
    const config = entry.config;
    const inputDim = config.int("input_dim", 1);
    const outputDim = config.int("output_dim", 1);
    const maskZero = config.bool("mask_zero", false);
    const table = weights.take(`${entry.name}/embeddings`, [inputDim, outputDim], layerLabel(entry));
    return new KerasEmbedding(entry, embeddingOf(inputDim, outputDim, table), maskZero);
  }

  infer(inputs: readonly SymbolicTensor[]): SymbolicTensor[] {
    checkInputCount(inputs, [1], this.entry);
    checkSymbolic(inputs[0], -1, null, this.entry);
    return [{ shape: [...inputs[0].shape, this.embedding.embeddingDim], masked: this.maskZero }];
  }

  call([x]: readonly Value[]): Value[] {
    const ids = this.embedding.checkIds(x.tensor.data, `${this.label}: input`);
    const tensor = this.embedding.forward(ids, x.tensor.shape);
    return [{ tensor, mask: this.maskZero ? Uint8Array.from(ids, (id) => (id !== 0 ? 1 : 0)) : null }];
  }

  dispose(): void {
    this.embedding.dispose();
  }

  /** A copy (embeddings stay float32 in a quantized model, as in quantizeDynamic's). */
  quantized(): KerasLayer {
    return new KerasEmbedding(this.entry, copyOf(this.embedding), this.maskZero);
  }
}

export function buildEmbedding(entry: LayerEntry, weights: WeightStore): KerasLayer {
  return KerasEmbedding.fromWeights(entry, weights);
}
