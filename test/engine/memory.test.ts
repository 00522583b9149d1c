// Wasm memory stays flat: repeated calls reuse the layer's buffers, smaller calls fit in them, and
// create/dispose cycles give every byte back.

import { beforeAll, describe, expect, it } from "vitest";
import { LSTM, GRU, tensor, type Recurrent } from "../../src/index.js";
import { initEngine } from "../../src/engine/init.js";
import type { Engine } from "../../src/engine/engine.js";

let engine: Engine;
beforeAll(async () => {
  engine = await initEngine();
});

function input(T: number, B: number, I: number) {
  return tensor(Float32Array.from({ length: T * B * I }, (_, i) => Math.cos(i)), [T, B, I]);
}

function trainStep(layer: Recurrent, T: number, B: number): void {
  const out = layer.forward(input(T, B, layer.inputSize), { lengths: Array.from({ length: B }, (_, b) => T - (b % T)) });
  layer.backward(out.output, { gradHN: out.hN });
}

describe("memory", () => {
  it("repeated forward/backward calls do not grow memory", () => {
    const layer = new LSTM({ inputSize: 8, hiddenSize: 16, numLayers: 2, bidirectional: true, seed: 1 });
    trainStep(layer, 12, 5);
    const used = engine.arena.usedBytes, size = engine.memory.buffer.byteLength;
    for (let i = 0; i < 200; i++) trainStep(layer, 12, 5);
    for (let i = 0; i < 20; i++) trainStep(layer, 7, 3); // smaller calls fit in the same buffers
    expect(engine.arena.usedBytes).toBe(used);
    expect(engine.memory.buffer.byteLength).toBe(size);
    layer.dispose();
  });

  it("create/dispose cycles return every byte", () => {
    const before = engine.arena.usedBytes;
    for (let i = 0; i < 100; i++) {
      const layer = new GRU({ inputSize: 4, hiddenSize: 9, bidirectional: i % 2 === 0 });
      trainStep(layer, 6, 2);
      layer.dispose();
    }
    expect(engine.arena.usedBytes).toBe(before);
  });

  it("a layer that grew for a long sequence releases it all on dispose", () => {
    // The engine's one shared kernel workspace may grow to the largest call; everything else is the layer's.
    const before = engine.arena.usedBytes - engine.scratchSize;
    const layer = new LSTM({ inputSize: 4, hiddenSize: 8 });
    trainStep(layer, 5, 2);
    trainStep(layer, 500, 8);
    layer.dispose();
    expect(engine.arena.usedBytes - engine.scratchSize).toBe(before);
  });
});
