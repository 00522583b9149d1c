// What wasm-rnn/tfjs hands back to tfjs, and its lifecycle. A layer configuration wasm-rnn does not
// run (an activation it lacks) or a call it does not run (recurrentDropout while training) goes to
// tfjs's own layer — tfjs's own result, never another — with exactly one notice per layer naming
// the option, however often it is called (a Bidirectional's two layers share theirs). Installing
// checks the module and is idempotent; `enabled` switches the bridge; disposing a model gives the
// twins' wasm memory back.

import { beforeAll, describe, expect, it } from "vitest";
import { useWasmRnn, type TfjsBridge } from "../../src/adapters/tfjs/index.js";
import { initEngine } from "../../src/engine/init.js";
import type { Engine } from "../../src/engine/engine.js";
import { randomize } from "../fixtures/keras/tfjs-models.js";
import { bothWays, bridge, maxDiff, notices, seeded, tf, weightDiff, fitBothWays } from "../helpers/tfjs-bridge.js";

const [B, T, I] = [3, 6, 4];

let b: TfjsBridge, engine: Engine;
beforeAll(async () => {
  engine = await initEngine();
  b = await bridge();
});

const sequential = (...layers: tf.layers.Layer[]) => tf.sequential({ layers });

describe("wasm-rnn/tfjs: what runs on tfjs's own path", () => {
  it("an activation wasm-rnn lacks (selu): tfjs's result, one notice naming it for the Bidirectional's two layers, however often called", () => {
    const model = sequential(
      tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 4, activation: "selu", returnSequences: true }) as tf.RNN, inputShape: [T, I] }),
      tf.layers.gru({ units: 3 }),
    );
    randomize(model, 1, 0.6);
    const x = seeded(2, [B, T, I]);
    const noticed = notices.length;
    const { tfjs, ours, calls } = bothWays(b, () => [1, 2, 3].map(() => model.predict(x) as tf.Tensor));
    const given = notices.slice(noticed);
    expect(given).toHaveLength(1);
    expect(given[0]).toMatch(/^wasm-rnn: layer "lstm\w*" \(LSTM\) runs on tfjs's own path: activation "selu" is not one wasm-rnn runs/);
    expect(calls).toBe(3); // the GRU after it still runs on wasm-rnn
    expect(maxDiff(ours, tfjs)).toBeLessThanOrEqual(1e-5);
    expect(b.fallbacks).toContain(given[0].replace(/^wasm-rnn: /, ""));
    tf.dispose([...tfjs, ...ours, x]);
    model.dispose();
  });

  it("recurrentDropout while training: fit runs tfjs's layer (one notice), predict still runs on wasm-rnn", async () => {
    const model = sequential(tf.layers.gru({ units: 4, inputShape: [T, I], recurrentDropout: 0.3 }), tf.layers.dense({ units: 1 }));
    randomize(model, 3, 0.6);
    const x = seeded(4, [8, T, I]), y = seeded(5, [8, 1]);
    const noticed = notices.length;
    const run = await fitBothWays(b, model, () => tf.train.sgd(0.1), "meanSquaredError", x, y, { epochs: 2, batchSize: 4 });
    const given = notices.slice(noticed);
    expect(given).toEqual([expect.stringMatching(/layer "gru\w*" \(GRU\) runs on tfjs's own path: recurrentDropout 0\.3 while training/)]);
    expect(run.gradients).toBe(0);
    // Recurrent dropout draws random masks: the two fits differ, but each moved the weights.
    expect(weightDiff(run.ours.weights, run.start)).toBeGreaterThan(1e-3);
    const { tfjs, ours, calls } = bothWays(b, () => model.predict(x) as tf.Tensor);
    expect(calls).toBe(1);
    expect(maxDiff(ours, tfjs)).toBeLessThanOrEqual(1e-5);
    tf.dispose([tfjs, ours, x, y]);
    model.dispose();
  });

  it("a call tfjs itself refuses gets tfjs's own error", () => {
    const model = sequential(tf.layers.lstm({ units: 3, inputShape: [T, I] }));
    expect(() => model.predict(seeded(6, [B, T, I + 1]))).toThrow(/expected .* to have shape/);
    const layer = tf.layers.simpleRNN({ units: 3 });
    expect(() => layer.apply(seeded(7, [B, I]))).toThrow(/ndim=3/);
    model.dispose();
  });
});

describe("wasm-rnn/tfjs: installing, switching, releasing", () => {
  it("useWasmRnn refuses what is not the tfjs module, and returns the same bridge when called again", async () => {
    for (const [label, bad] of [["null", null], ["{}", {}], ["customGrad alone", { customGrad() {} }], ["tf.layers", tf.layers]] as const) {
      await expect(useWasmRnn(bad as never), label).rejects.toThrow(TypeError);
    }
    await expect(useWasmRnn({ customGrad() {}, getBackend: () => "cpu", serialization: { SerializationMap: { getMap: () => ({ classNameMap: {} }) } } })).rejects.toThrow(/no LSTM layer registered/);
    expect(await bridge()).toBe(b);
    expect(await useWasmRnn(tf)).toBe(b);
  });

  it("enabled = false runs every layer on tfjs's own path", () => {
    const model = sequential(tf.layers.lstm({ units: 3, inputShape: [T, I] }));
    const x = seeded(8, [B, T, I]);
    b.enabled = false;
    const calls = b.calls;
    tf.dispose(model.predict(x) as tf.Tensor);
    expect(b.calls).toBe(calls);
    b.enabled = true;
    tf.dispose(model.predict(x) as tf.Tensor);
    expect(b.calls).toBe(calls + 1);
    tf.dispose(x);
    model.dispose();
  });

  it("disposing a model (LSTM, GRU, Bidirectional SimpleRNN) gives every byte of its twins' wasm memory back", () => {
    const x = seeded(9, [B, T, I]);
    const before = engine.arena.usedBytes - engine.scratchSize;
    for (let i = 0; i < 5; i++) {
      const model = sequential(
        tf.layers.lstm({ units: 8, inputShape: [T, I], returnSequences: true }),
        tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 5, returnSequences: true }) as tf.RNN }),
        tf.layers.gru({ units: 6 }),
      );
      tf.dispose(model.predict(x) as tf.Tensor);
      expect(engine.arena.usedBytes - engine.scratchSize).toBeGreaterThan(before);
      model.dispose();
      expect(engine.arena.usedBytes - engine.scratchSize).toBe(before);
    }
    tf.dispose(x);
  });
});
