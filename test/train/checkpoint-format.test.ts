// The checkpoint format with int8 tensors: a quantized model's int8 weights go through
// checkpointToBytes / readCheckpointBytes with their dtype and under the checksum; a float model
// refuses them by name before writing any weight, and optimizer or trainer tensors must be float32.

import { beforeAll, describe, expect, it } from "vitest";
import { init, CharTokenizer, LanguageModel, tensor, FormatError, type Model, type Tensor } from "../../src/index.js";
import { initEngine } from "../../src/engine/init.js";
import { checkpointFromBytes, checkpointToBytes, readCheckpointBytes } from "../../src/train/checkpoint-format.js";

beforeAll(async () => {
  await init();
});

const TEXT = "a small corpus for a small model. ".repeat(4);

function languageModel(seed: number): LanguageModel {
  return new LanguageModel(CharTokenizer.fit(TEXT), { hiddenSize: 6, embeddingDim: 3, seed });
}

/** Int8 values of a tensor's shape. */
function int8Like(t: Tensor): Tensor<Int8Array> {
  return tensor(Int8Array.from(t.data, (_, i) => (i % 255) - 127), [...t.shape]);
}

/** What a quantized model will give checkpointToBytes: `model`'s type and config, one weight as int8. */
function withInt8Weight(model: LanguageModel, name: string): Model {
  const quantized = int8Like(model.stateDict()[name]);
  return { modelType: model.modelType, config: () => model.config(), stateDict: () => ({ ...model.stateDict(), [name]: quantized }) } as unknown as Model;
}

/** Runs `call`, which must free whatever wasm memory it takes. */
async function expectNoLeak(call: () => void): Promise<void> {
  const { arena } = await initEngine();
  const before = arena.usedBytes;
  call();
  expect(arena.usedBytes).toBe(before);
}

describe("int8 tensors in checkpoints", () => {
  it("round-trip with their dtype, and the checksum covers their bytes", () => {
    const lm = languageModel(1);
    const { bytes, info } = checkpointToBytes(withInt8Weight(lm, "rnn.weight_ih_l0"));
    expect(info.parameterCount).toBe(lm.parameterCount);
    const { tensors } = readCheckpointBytes(bytes);
    const weight = tensors["model.rnn.weight_ih_l0"];
    expect(weight.dtype).toBe("int8");
    expect(weight.shape).toEqual(lm.stateDict()["rnn.weight_ih_l0"].shape);
    expect([...weight.data]).toEqual([...int8Like(lm.stateDict()["rnn.weight_ih_l0"]).data]);
    expect(tensors["model.fc.weight"].dtype).toBe("float32");
    const damaged = bytes.slice();
    damaged[damaged.length - 1] ^= 0x01; // the int8 data is written last
    expect(() => readCheckpointBytes(damaged, "q.safetensors")).toThrow(/^q\.safetensors: checksum mismatch/);
    lm.dispose();
  });

  it("a float model refuses an int8 weight by name, from a checkpoint or a state dict, changing nothing", async () => {
    const lm = languageModel(1);
    const { bytes } = checkpointToBytes(withInt8Weight(lm, "rnn.weight_hh_l0"));
    await expectNoLeak(() => expect(() => checkpointFromBytes(bytes, { source: "q.safetensors" })).toThrow(FormatError));
    expect(() => checkpointFromBytes(bytes)).toThrow(/language-model\.loadStateDict: rnn\.weight_hh_l0 has dtype int8; expected float32/);

    const before = lm.stateDict();
    const other = languageModel(2);
    // embedding.* and rnn.weight_ih_l0 are valid and come first: none may be written.
    const record = { ...other.stateDict(), "rnn.weight_hh_l0": int8Like(before["rnn.weight_hh_l0"]) };
    expect(() => lm.loadStateDict(record)).toThrow(FormatError);
    expect(() => lm.loadStateDict(record)).toThrow(/rnn\.weight_hh_l0 has dtype int8; expected float32/);
    const after = lm.stateDict();
    for (const [name, t] of Object.entries(before)) expect(after[name].data, name).toEqual(t.data);
    lm.dispose();
    other.dispose();
  });

  it("optimizer and trainer tensors must be float32", async () => {
    const lm = languageModel(1);
    const int8 = tensor(Int8Array.of(1, -2), [2]) as unknown as Tensor;
    const optimizer = checkpointToBytes(lm, { optimizer: { "exp_avg.0": int8 } }).bytes;
    const extra = checkpointToBytes(lm, { extra: { "state.h": int8 } }).bytes;
    await expectNoLeak(() => {
      expect(() => checkpointFromBytes(optimizer, { source: "q.safetensors" })).toThrow(/^q\.safetensors: optimizer\.exp_avg\.0 has dtype int8; expected float32$/);
      expect(() => checkpointFromBytes(extra)).toThrow(FormatError);
      expect(() => checkpointFromBytes(extra)).toThrow(/extra\.state\.h has dtype int8; expected float32/);
    });
    lm.dispose();
  });
});
