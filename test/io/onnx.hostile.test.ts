// Damaged, hostile and unsupported ONNX files: each is a typed error that names the problem (the
// byte offset, the node, the tensor), never another exception and never a hang. Truncation at every
// byte of real models, hand-made wire-format damage, the broken models of
// test/fixtures/onnx/hostile, and property-based garbling (fast-check, bounded runs).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { FormatError, init, onnx, ResourceError, UnsupportedError, WasmRnnError } from "../../src/index.js";
import { readTensorProto } from "../../src/io/onnx/tensor-proto.js";
import { FIXTURES } from "../helpers/fixtures.js";

const ONNX = join(FIXTURES, "onnx");
const read = (path: string) => new Uint8Array(readFileSync(join(FIXTURES, path)));

beforeAll(async () => {
  await init();
});

/** The error `create` rejects with (fails the test when it resolves). */
async function createError(bytes: Uint8Array): Promise<unknown> {
  try {
    const session = await onnx.InferenceSession.create(bytes);
    await session.release();
  } catch (e) {
    return e;
  }
  return expect.fail(`create accepted ${bytes.length} bytes`);
}

async function expectRejects(bytes: Uint8Array, type: new (...args: never[]) => WasmRnnError, message: RegExp): Promise<void> {
  const e = await createError(bytes);
  expect(e).toBeInstanceOf(type);
  expect((e as Error).message).toMatch(message);
}

// ---- a few protobuf wire-format bytes, by hand ----------------------------------------------------

function varint(n: number): number[] {
  const out: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n % 128) | 0x80);
  out.push(n);
  return out;
}

/** A length-delimited field. */
function lengthDelimited(field: number, payload: number[]): number[] {
  return [...varint(field * 8 + 2), ...varint(payload.length), ...payload];
}

const text = (s: string) => [...new TextEncoder().encode(s)];
const opset14 = lengthDelimited(8, [...varint(2 * 8), 14]);

describe("truncated files", () => {
  it.each(["onnx/torch_lstm/model.onnx", "onnx/torch_gru/model.onnx", "onnx-node/test_lstm_with_peepholes/model.onnx", "onnx/attr_lstm_layout1/model.onnx"])(
    "%s cut at every byte is a FormatError",
    async (path) => {
      const bytes = read(path);
      for (let n = 0; n < bytes.length; n++) {
        const e = await createError(bytes.subarray(0, n));
        if (!(e instanceof FormatError)) expect.fail(`cut at ${n} of ${bytes.length}: ${String(e)}`);
      }
    },
  );

  it("a TensorProto cut at every byte is a FormatError", () => {
    const bytes = read("onnx/torch_gru/input_0_h0.pb");
    for (let n = 0; n < bytes.length; n++) expect(() => readTensorProto(bytes.subarray(0, n)), `cut at ${n}`).toThrow(FormatError);
  });

  it("names the byte offset and the field", async () => {
    await expectRejects(read("onnx/torch_gru/model.onnx").subarray(0, 200), FormatError, /ModelProto at byte \d+: graph is \d+ bytes long but only \d+ remain/);
  });
});

describe("wire-format damage", () => {
  it("a wrong wire type for a known field", async () => {
    // GraphProto.node (field 1) as a varint.
    await expectRejects(Uint8Array.from([...lengthDelimited(7, [0x08, 0x01]), ...opset14]), FormatError, /GraphProto at byte 2: node \(field 1\) has wire type varint, expected length-delimited/);
  });

  it("group wire types, which ONNX never uses", async () => {
    await expectRejects(Uint8Array.from([0x3b, 0x3c]), FormatError, /ModelProto at byte 0: field 7 has wire type start-group/);
  });

  it("a length past the end, however large, allocates nothing", async () => {
    await expectRejects(Uint8Array.from([0x3a, ...varint(2 ** 40), 0]), FormatError, /graph is 1099511627776 bytes long but only 1 remain/);
  });

  it("a varint longer than 10 bytes or one that never ends", async () => {
    await expectRejects(Uint8Array.from([0x08, ...new Array(11).fill(0xff), 0x01]), FormatError, /varint/);
    await expectRejects(Uint8Array.from([0x08, 0xff, 0xff]), FormatError, /truncated varint/);
  });

  it("a packed float list whose length is not a multiple of 4", () => {
    const proto = Uint8Array.from([0x08, 0x02, 0x10, 0x01, ...lengthDelimited(4, [0, 0, 0x80, 0x3f, 0, 0])]);
    expect(() => readTensorProto(proto)).toThrow(/a float needs 4 bytes but only 2 remain/);
  });

  it("a model without a graph or without an opset", async () => {
    await expectRejects(Uint8Array.from(opset14), FormatError, /no graph/);
    await expectRejects(Uint8Array.from(lengthDelimited(7, [])), FormatError, /no opset for the default domain/);
  });

  it("names that are not UTF-8", async () => {
    const node = lengthDelimited(1, lengthDelimited(3, [0xff, 0xfe]));
    await expectRejects(Uint8Array.from([...lengthDelimited(7, node), ...opset14]), FormatError, /name is not valid UTF-8/);
  });

  it("an opset outside the range we run", async () => {
    const future = lengthDelimited(8, [...varint(2 * 8), 26]);
    await expectRejects(Uint8Array.from([...lengthDelimited(7, lengthDelimited(2, text("g"))), ...future]), UnsupportedError, /opset 26; wasm-rnn runs opsets 1–25/);
  });
});

describe("broken and unsupported models", () => {
  const cases: [string, new (...args: never[]) => WasmRnnError, RegExp][] = [
    ["unknown_op", UnsupportedError, /node "mystery" \(FancyOp\): operator "FancyOp" is not supported/],
    ["custom_domain", UnsupportedError, /node "vendor_relu" \(Relu\) is in domain "com\.example"/],
    ["cycle", FormatError, /cycle: node "first" \(Add\), node "second" \(Relu\)/],
    ["duplicate_output", FormatError, /value "y" is defined twice \(by node "one" \(Relu\) and by node "two" \(Tanh\)\)/],
    ["duplicate_initializer", FormatError, /initializer "w" appears twice/],
    ["undefined_input", FormatError, /node "reader" \(Add\) reads "ghost"/],
    ["external_data", UnsupportedError, /initializer "w" keeps its data in an external file/],
    ["huge_tensor", ResourceError, /initializer "w": shape \[65536, 65536\] is beyond the limit of 268435456 elements/],
    ["negative_dim", FormatError, /initializer "w" \(at byte \d+\) has a negative dimension/],
    ["raw_data_too_short", FormatError, /initializer "w" \(at byte \d+\): raw_data holds 1\.5 values but dims \[2\] of FLOAT need 2/],
    ["uint16_initializer", UnsupportedError, /initializer "w" has data type UINT16/],
    ["wrong_attribute_type", FormatError, /node "float_hidden" \(LSTM\): attribute "hidden_size" \(at byte \d+\) must be INT; got FLOAT/],
    ["undefined_output", FormatError, /graph output "y" is not defined/],
    ["wrong_arity", FormatError, /node "two_inputs" \(Relu\) has inputs \["x", "x"\]; Relu takes 1/],
    ["unknown_attribute", UnsupportedError, /node "fancy_relu" \(Relu\) has attribute "slope", which wasm-rnn does not support/],
    ["invalid_direction", FormatError, /node "sideways" \(LSTM\): direction must be "forward", "reverse" or "bidirectional"; got "sideways"/],
    ["sparse_initializer", UnsupportedError, /sparse initializers/],
    ["bidirectional_three_activations", FormatError, /node "half_list" \(LSTM\): activations needs 6 names \(3 per direction\); got 3/],
  ];
  it.each(cases)("%s", async (name, type, message) => {
    await expectRejects(read(`onnx/hostile/${name}.onnx`), type, message);
  });
});

describe("garbled files (fast-check)", () => {
  const models = ["torch_gru", "attr_lstm_bidirectional_peepholes", "attr_gru_layout1"].map((name) => ({
    bytes: read(`onnx/${name}/model.onnx`),
    feeds: Object.fromEntries(["input_0.pb", "input_1.pb", "input_2.pb", "input_0_ids.pb", "input_0_h0.pb"].flatMap((f) => {
      try {
        const { name: input, tensor } = readTensorProto(read(`onnx/${name}/${f}`));
        return [[input, tensor]];
      } catch {
        return [];
      }
    })) as Record<string, onnx.Tensor>,
  }));

  /** Creates and runs the damaged model: it may work; if not, the error must be one of ours. */
  async function loadsOrRefuses(bytes: Uint8Array, feeds: Record<string, onnx.Tensor>): Promise<void> {
    try {
      const session = await onnx.InferenceSession.create(bytes);
      try {
        await session.run(feeds);
      } finally {
        await session.release();
      }
    } catch (e) {
      if (!(e instanceof WasmRnnError)) throw e;
    }
  }

  it("byte edits, cuts and insertions give a working session or a typed error", async () => {
    const edit = fc.record({
      model: fc.integer({ min: 0, max: models.length - 1 }),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
      cut: fc.option(fc.nat()),
      insert: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ maxLength: 12 }))),
    });
    await fc.assert(
      fc.asyncProperty(edit, async ({ model, flips, cut, insert }) => {
        const { bytes: original, feeds } = models[model];
        let bytes = Uint8Array.from(original);
        for (const [at, value] of flips) bytes[at % bytes.length] = value;
        if (insert) bytes = Uint8Array.from([...bytes.subarray(0, insert[0] % bytes.length), ...insert[1], ...bytes.subarray(insert[0] % bytes.length)]);
        if (cut !== null) bytes = bytes.subarray(0, cut % (bytes.length + 1));
        await loadsOrRefuses(bytes, feeds);
      }),
      { numRuns: 400, seed: 20261123 },
    );
  });

  it("random bytes after a valid prefix, and pure noise", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 64 }), async (at, noise) => {
        const { bytes, feeds } = models[0];
        const prefix = bytes.subarray(0, at % bytes.length);
        await loadsOrRefuses(Uint8Array.from([...prefix, ...noise]), feeds);
        await loadsOrRefuses(noise, feeds);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
