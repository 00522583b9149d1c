// `wasm-rnn info`: what a checkpoint holds, without building the model.

import { readCheckpoint } from "../train/checkpoint.js";
import { checkpointInfo } from "../train/checkpoint-format.js";
import { kindList, quantizedKinds } from "../models/quantized-kinds.js";
import { stringOption, type Values } from "./usage.js";

/** What the config's `quantized` says of the weights: float32, int8, or int8 in the kinds it lists. */
function weightsLine(quantized: unknown): string {
  if (Array.isArray(quantized)) return `weights: int8 with per-row scales in the ${kindList(quantizedKinds(quantized, "quantized"))} layers, float32 elsewhere (quantized: inference only)`;
  return quantized ? "weights: int8 with per-row scales (quantized: inference only)" : "weights: float32";
}

export const INFO_OPTIONS = {
  model: { type: "string" },
} as const;

export async function info(values: Values): Promise<void> {
  const { metadata, tensors, path } = readCheckpoint(stringOption(values, "model"));
  const { modelType, config, trainer, parameterCount, checksum } = checkpointInfo(metadata, tensors, path);
  const { tokenizer, ...modelConfig } = config as { tokenizer?: { kind: string; tokens: string[] } };
  const lines = [
    `checkpoint: ${path}`,
    `model type: ${modelType}`,
    `config: ${JSON.stringify(modelConfig)}`,
    tokenizer ? `tokenizer: ${tokenizer.kind}-level, ${tokenizer.tokens.length} tokens` : null,
    `parameters: ${parameterCount}`,
    weightsLine((modelConfig as { quantized?: unknown }).quantized),
    `trained: step ${trainer.step ?? "?"}, epoch ${trainer.epoch ?? "?"}`,
    `checksum: ${checksum}`,
  ];
  process.stdout.write(`${lines.filter(Boolean).join("\n")}\n`);
}
