// safetensors: round trips (float32, and int8 as I8), the dtypes PyTorch writes, and every kind of
// damaged file as a FormatError (or UnsupportedError for a dtype we do not read) — never a RangeError
// or SyntaxError.

import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { readSafetensors, writeSafetensors, tensor, FormatError, UnsupportedError } from "../../src/index.js";
import { FIXTURES } from "../helpers/fixtures.js";

/** The header of a file, as written. */
function headerOf(bytes: Uint8Array): Record<string, { dtype: string; shape: number[]; data_offsets: number[] }> {
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true))));
}

/** A file with a hand-written header and data. */
function file(header: unknown, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = header instanceof Uint8Array ? header : new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe("safetensors", () => {
  it("round-trips tensors and metadata", () => {
    const a = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = tensor([-0.5], [1]);
    const bytes = writeSafetensors({ "lstm.weight_ih_l0": a, scalarish: b }, { format: "pt" });
    expect((8 + new DataView(bytes.buffer).getUint32(0, true)) % 8).toBe(0); // data starts 8-byte aligned
    const back = readSafetensors(bytes);
    expect(back.metadata).toEqual({ format: "pt" });
    expect(back.tensors["lstm.weight_ih_l0"].shape).toEqual([2, 3]);
    expect(back.tensors["lstm.weight_ih_l0"].data).toEqual(a.data);
    expect(back.tensors.scalarish.data).toEqual(b.data);
  });

  it("keeps names such as __proto__ as plain entries (found by the fuzzer)", () => {
    const json = '{"__metadata__":{"__proto__":"m"},"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
    const back = readSafetensors(file(json, new Uint8Array(4)));
    expect(Object.keys(back.tensors)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(back.tensors)).toBe(Object.prototype);
    expect(Object.keys(back.metadata)).toEqual(["__proto__"]);
    expect(Object.keys(readSafetensors(writeSafetensors(back.tensors)).tensors)).toEqual(["__proto__"]);
  });

  it("reads files written by the PyTorch fixture generator", () => {
    const { tensors } = readSafetensors(readFileSync(`${FIXTURES}recurrent/lstm_basic.safetensors`));
    expect(tensors["param.weight_ih_l0"].shape).toEqual([28, 5]);
  });

  it("widens F16 and BF16 and narrows F64", () => {
    // 1.5 and −2 in each encoding.
    const f16 = new Uint8Array(new Uint16Array([0x3e00, 0xc000]).buffer);
    const bf16 = new Uint8Array(new Uint16Array([0x3fc0, 0xc000]).buffer);
    const f64 = new Uint8Array(new Float64Array([1.5, -2]).buffer);
    const data = new Uint8Array([...f16, ...bf16, ...f64]);
    const t = readSafetensors(file({
      h: { dtype: "F16", shape: [2], data_offsets: [0, 4] },
      b: { dtype: "BF16", shape: [2], data_offsets: [4, 8] },
      d: { dtype: "F64", shape: [2], data_offsets: [8, 24] },
    }, data)).tensors;
    for (const k of ["h", "b", "d"]) expect([...t[k].data]).toEqual([1.5, -2]);
  });

  it("round-trips int8 tensors as I8 beside float32 ones, float32 data first so it stays aligned", () => {
    const q = tensor(Int8Array.of(-128, -1, 0, 1, 2, 127), [2, 3]);
    const scale = tensor([0.5, 0.25], [2]);
    const bytes = writeSafetensors({ "q.weight": q, "q.scale": scale, bias: tensor([1, 2, 3], [3]) });
    const header = headerOf(bytes);
    expect(Object.keys(header)).toEqual(["q.weight", "q.scale", "bias"]);
    expect(header["q.weight"]).toEqual({ dtype: "I8", shape: [2, 3], data_offsets: [20, 26] });
    expect(header["q.scale"]).toEqual({ dtype: "F32", shape: [2], data_offsets: [0, 8] });
    expect(header.bias).toEqual({ dtype: "F32", shape: [3], data_offsets: [8, 20] });
    const back = readSafetensors(bytes).tensors;
    const weight = back["q.weight"];
    expect(weight.dtype).toBe("int8");
    expect(weight.data).toBeInstanceOf(Int8Array);
    expect([...weight.data]).toEqual([-128, -1, 0, 1, 2, 127]);
    expect(weight.shape).toEqual([2, 3]);
    expect(back["q.scale"].dtype).toBe("float32");
    expect(back["q.scale"].data).toEqual(scale.data);
    expect(writeSafetensors(back)).toEqual(bytes);
  });

  it("reads I8 data wherever it lies, also with float32 data after it at an odd offset", () => {
    const data = new Uint8Array([0xff, 0x02, 0x80, ...new Uint8Array(new Float32Array([1.5]).buffer)]);
    const t = readSafetensors(file({ q: { dtype: "I8", shape: [3], data_offsets: [0, 3] }, f: { dtype: "F32", shape: [1], data_offsets: [3, 7] } }, data)).tensors;
    expect([...t.q.data]).toEqual([-1, 2, -128]);
    expect([...t.f.data]).toEqual([1.5]);
    expect(t.f.dtype).toBe("float32");
  });

  it("refuses every truncation of a file holding I8 tensors with a FormatError", () => {
    const bytes = writeSafetensors({ q: tensor(Int8Array.from({ length: 13 }, (_, i) => i - 6), [13]), s: tensor([0.1], [1]) });
    for (let n = 0; n < bytes.length; n++) expect(() => readSafetensors(bytes.subarray(0, n)), `cut at ${n}`).toThrow(FormatError);
    expect(readSafetensors(bytes).tensors.q.size).toBe(13);
  });

  const good = writeSafetensors({ w: tensor([1, 2, 3, 4], [2, 2]) });
  it.each([
    ["an empty file", new Uint8Array(0), /truncated file \(0 bytes/],
    ["a file cut inside the header", good.subarray(0, 20), /truncated file: the header needs/],
    ["a file cut inside the data", good.subarray(0, good.length - 3), /cover 16 bytes of data but the file has 13|spans bytes/],
    ["trailing bytes", new Uint8Array([...good, 0, 0, 0, 0]), /file has 20/],
    ["a huge header length", new Uint8Array([255, 255, 255, 255, 255, 255, 0, 0]), /exceeds the format's limit/],
    ["a header that is not JSON", file("{not json"), /not valid UTF-8 JSON/],
    ["a header that is invalid UTF-8", file(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), /not valid UTF-8 JSON/],
    ["a JSON array header", file([1, 2]), /must be a JSON object/],
    ["an entry without dtype", file({ w: { shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), /"w" has no dtype/],
    ["an unknown dtype", file({ w: { dtype: "F17", shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), /unknown dtype "F17"/],
    ["a negative dimension", file({ w: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)), /invalid shape \[-1\]/],
    ["offsets past the data", file({ w: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }, new Uint8Array(4)), /spans bytes 0–8 but the data has 4 bytes/],
    ["a size that disagrees with the shape", file({ w: { dtype: "F32", shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)), /needs 8 bytes but data_offsets give 4/],
    ["overlapping tensors", file({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] }, b: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), /overlap or gap/],
    ["non-string metadata", file({ __metadata__: { n: 1 } }), /__metadata__\.n must be a string/],
    ["a short I8 buffer", file({ q: { dtype: "I8", shape: [2, 3], data_offsets: [0, 5] } }, new Uint8Array(5)), /"q" \(I8 \[2, 3\]\) needs 6 bytes but data_offsets give 5/],
    ["an I8 tensor past the data", file({ q: { dtype: "I8", shape: [6], data_offsets: [0, 6] } }, new Uint8Array(4)), /spans bytes 0–6 but the data has 4 bytes/],
    ["a misaligned I8 tensor (a gap before it)", file({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] }, q: { dtype: "I8", shape: [2], data_offsets: [5, 7] } }, new Uint8Array(7)), /"q" starts at byte 5 of the data but the previous tensor ends at 4 \(overlap or gap\)/],
    ["a misaligned I8 tensor (overlapping)", file({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] }, q: { dtype: "I8", shape: [2], data_offsets: [3, 5] } }, new Uint8Array(5)), /overlap or gap/],
  ])("rejects %s with a FormatError", (_label, bytes, message) => {
    expect(() => readSafetensors(bytes as Uint8Array)).toThrow(FormatError);
    expect(() => readSafetensors(bytes as Uint8Array)).toThrow(message);
  });

  it.each(["BOOL", "U8", "I16", "U16", "I32", "U32", "I64", "U64"])("rejects dtype %s with an UnsupportedError naming the tensor (I8 is the one integer dtype read)", (dtype) => {
    const bytes = file({ steps: { dtype, shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8));
    expect(() => readSafetensors(bytes)).toThrow(UnsupportedError);
    expect(() => readSafetensors(bytes)).toThrow(`"steps" has dtype ${dtype}; wasm-rnn reads F32, F16, BF16, F64 and I8`);
  });

  it("survives every truncation and single-byte corruption of a real file with only typed errors", () => {
    const bytes = readFileSync(`${FIXTURES}recurrent/rnn_tanh_basic.safetensors`);
    for (let n = 0; n < bytes.length; n += 7) {
      try {
        readSafetensors(bytes.subarray(0, n));
      } catch (e) {
        expect(e).toBeInstanceOf(FormatError);
      }
    }
    const headerEnd = 8 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
    for (let i = 0; i < headerEnd; i += 3) {
      const damaged = Uint8Array.from(bytes);
      damaged[i] ^= 0x5a;
      try {
        readSafetensors(damaged);
      } catch (e) {
        expect(e instanceof FormatError || e instanceof UnsupportedError, String(e)).toBe(true);
      }
    }
  });

  it("writeSafetensors refuses a tensor whose data does not fill its shape", () => {
    expect(() => writeSafetensors({ w: { shape: [3], data: new Float32Array(2) } })).toThrow(FormatError);
  });
});
