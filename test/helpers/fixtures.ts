// Reading the committed PyTorch fixtures (safetensors written by test/fixtures/generate_*.py).

import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readSafetensors } from "../../src/io/safetensors.js";
import type { AnyTensor, Tensor } from "../../src/tensor.js";

export const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));

export interface Fixture<Config> {
  name: string;
  config: Config;
  tensors: Record<string, Tensor>;
}

/** Every fixture in a folder of test/fixtures, with the JSON config from its metadata. */
export function loadFixtures<Config>(folder: string): Fixture<Config>[] {
  const dir = join(FIXTURES, folder);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".safetensors"))
    .sort()
    .map((file) => {
      const { tensors, metadata } = readSafetensors(readFileSync(join(dir, file)));
      return { name: file.replace(/\.safetensors$/, ""), config: JSON.parse(metadata.config) as Config, tensors: floats(tensors, file) };
    });
}

/** The tensors of a fixture, all float32 (the generators write no int8). */
function floats(tensors: Record<string, AnyTensor>, file: string): Record<string, Tensor> {
  for (const [name, t] of Object.entries(tensors)) if (t.dtype !== "float32") throw new Error(`${file}: ${name} is ${t.dtype}; fixtures are float32`);
  return tensors as Record<string, Tensor>;
}

/** Tensors whose names start with `prefix`, keyed by the rest of the name. */
export function withPrefix(tensors: Record<string, Tensor>, prefix: string): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(tensors).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
}
