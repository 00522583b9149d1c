// The cell registry (src/engine/cells.ts, with src/layers/recurrent-classes.ts): every row's kernels
// are exports of the real wasm core, every kind builds its own layer class, and an unknown kind is an
// error naming the cells everywhere a kind comes in — a config, a layer name, a worker's spec, the
// kernels — never a silent RNN.

import { describe, expect, it } from "vitest";
import { CELL_KINDS, CELLS, cellKernels, cellKind, cellKindOfName } from "../../src/engine/cells.js";
import { engine } from "../../src/engine/engine.js";
import { init, Seq2Seq, SequenceClassifier, ShapeError, UnsupportedError, CharTokenizer } from "../../src/index.js";
import { RECURRENT_CLASSES, recurrentLayer } from "../../src/layers/recurrent-classes.js";

describe("the cell registry", () => {
  it("binds each row's seven kernels from the wasm core, and refuses a kind the core has no kernels for", async () => {
    await init();
    const core = engine().core;
    expect(CELL_KINDS).toEqual(["lstm", "gru", "rnn"]);
    for (const kind of CELL_KINDS) {
      const kernels = cellKernels(core, kind);
      expect(Object.values(kernels).every((k) => typeof k === "function"), kind).toBe(true);
      expect(kernels.forward).toBe((core as unknown as Record<string, unknown>)[`${kind}Forward`]);
    }
    expect(() => cellKernels(core, "mgu" as never)).toThrow(UnsupportedError);
    expect(() => cellKernels(core, "mgu" as never)).toThrow(/no mguPreparedBytes/);
  });

  it("builds each kind's own layer class, which knows its kind", async () => {
    await init();
    for (const kind of CELL_KINDS) {
      const layer = recurrentLayer(kind, { inputSize: 3, hiddenSize: 4, seed: 1 }, "test");
      expect(layer).toBeInstanceOf(RECURRENT_CLASSES[kind]);
      expect(layer.constructor.name).toBe(CELLS[kind].name);
      expect(layer.cell).toBe(kind);
      expect(cellKindOfName(CELLS[kind].name, "test")).toBe(kind);
      layer.dispose();
    }
  });

  it("refuses an unknown kind wherever one comes in, naming the cells", async () => {
    await init();
    expect(() => cellKind("mgu", "somewhere")).toThrow(/somewhere: no cell "mgu"; the cells are lstm, gru, rnn/);
    expect(() => cellKindOfName("SimpleRNN", "somewhere")).toThrow(/no cell named "SimpleRNN"; the cells are LSTM, GRU, RNN/);
    expect(() => recurrentLayer("mgu", { inputSize: 3, hiddenSize: 4 }, "WorkerPool")).toThrow(UnsupportedError); // a worker's spec
    expect(() => new SequenceClassifier({ vocabSize: 5, hiddenSize: 4, numClasses: 2, cell: "mgu" as never })).toThrow(ShapeError);
    expect(() => new SequenceClassifier({ vocabSize: 5, hiddenSize: 4, numClasses: 2, cell: "mgu" as never })).toThrow(/cell must be one of "lstm", "gru", "rnn"/);
    const chars = CharTokenizer.fit("abc");
    expect(() => new Seq2Seq(chars, chars, { hiddenSize: 4, cell: "mgu" as never })).toThrow(/Seq2Seq: cell: no cell "mgu"/);
  });
});
