// The test speech (test/fixtures/speech/speech-16k.wav: four sentences with silences and noise, made
// by make-speech.sh) as float samples in −1…1, and the Silero VAD models @ricky0123/vad-web ships.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { FIXTURES } from "./fixtures.js";

/** The samples of a 16-bit PCM mono WAV file, scaled to −1…1. */
export function readWav(path: string): { rate: number; samples: Float32Array } {
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let rate = 0;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = bytes.toString("latin1", at, at + 4), size = view.getUint32(at + 4, true);
    if (id === "fmt ") {
      if (view.getUint16(at + 8, true) !== 1 || view.getUint16(at + 10, true) !== 1 || view.getUint16(at + 22, true) !== 16) throw new Error(`${path}: not 16-bit PCM mono`);
      rate = view.getUint32(at + 12, true);
    } else if (id === "data") {
      const samples = new Float32Array(size / 2);
      for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(at + 8 + 2 * i, true) / 32768;
      return { rate, samples };
    }
    at += 8 + size + (size & 1);
  }
  throw new Error(`${path}: no data chunk`);
}

export const SPEECH = join(FIXTURES, "speech/speech-16k.wav");

/** Where each sentence of the test speech starts and ends, in seconds (its README). */
export const SENTENCES: readonly [number, number][] = [[1.3, 3.484], [4.584, 6.738], [8.238, 10.247], [11.447, 13.265]];

const require = createRequire(import.meta.url);
const VAD_WEB = dirname(require.resolve("@ricky0123/vad-web/package.json"));

/** The Silero VAD models as @ricky0123/vad-web ships them: v4 ("legacy"), v5 and v6. */
export const SILERO = {
  v4: join(VAD_WEB, "dist/silero_vad_legacy.onnx"),
  v5: join(VAD_WEB, "dist/silero_vad_v5.onnx"),
  v6: join(VAD_WEB, "dist/silero_vad_v6.onnx"),
} as const;
