// `wasm-rnn info`: what a checkpoint holds, without building the model.

import { readCheckpoint } from "../train/checkpoint.js";
import { stringOption, type Values } from "./usage.js";

export const INFO_OPTIONS = {
  model: { type: "string" },
} as const;

export async function info(values: Values): Promise<void> {
  const { metadata, tensors, path } = readCheckpoint(stringOption(values, "model"));
  const config = JSON.parse(metadata.config) as Record<string, unknown>;
  const trainer = JSON.parse(metadata.trainer) as Record<string, unknown>;
  const { tokenizer, ...modelConfig } = config as { tokenizer?: { kind: string; tokens: string[] } };
  let parameters = 0;
  for (const [name, t] of Object.entries(tensors)) if (name.startsWith("model.")) parameters += t.data.length;
  const lines = [
    `checkpoint: ${path}`,
    `model type: ${metadata.modelType}`,
    `config: ${JSON.stringify(modelConfig)}`,
    tokenizer ? `tokenizer: ${tokenizer.kind}-level, ${tokenizer.tokens.length} tokens` : null,
    `parameters: ${parameters}`,
    `trained: step ${trainer.step ?? "?"}, epoch ${trainer.epoch ?? "?"}`,
    `checksum: ${metadata.checksum}`,
  ];
  process.stdout.write(`${lines.filter(Boolean).join("\n")}\n`);
}
