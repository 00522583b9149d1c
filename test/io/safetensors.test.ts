// safetensors: round trips, the dtypes PyTorch writes, and every kind of damaged file as a
// FormatError (or UnsupportedError for a dtype we do not read) — never a RangeError or SyntaxError.

import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { readSafetensors, writeSafetensors, parseSafetensors, tensor, FormatError, UnsupportedError } from "../../src/index.js";
import { FIXTURES } from "../helpers/fixtures.js";

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
    const back = parseSafetensors(bytes);
    expect(back.metadata).toEqual({ format: "pt" });
    expect(back.tensors["lstm.weight_ih_l0"].shape).toEqual([2, 3]);
    expect(back.tensors["lstm.weight_ih_l0"].data).toEqual(a.data);
    expect(back.tensors.scalarish.data).toEqual(b.data);
  });

  it("keeps names such as __proto__ as plain entries (found by the fuzzer)", () => {
    const json = '{"__metadata__":{"__proto__":"m"},"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
    const back = parseSafetensors(file(json, new Uint8Array(4)));
    expect(Object.keys(back.tensors)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(back.tensors)).toBe(Object.prototype);
    expect(Object.keys(back.metadata)).toEqual(["__proto__"]);
  });

  it("reads files written by the PyTorch fixture generator", () => {
    const tensors = readSafetensors(readFileSync(`${FIXTURES}recurrent/lstm_basic.safetensors`));
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
    }, data));
    for (const k of ["h", "b", "d"]) expect([...t[k].data]).toEqual([1.5, -2]);
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
  ])("rejects %s with a FormatError", (_label, bytes, message) => {
    expect(() => readSafetensors(bytes as Uint8Array)).toThrow(FormatError);
    expect(() => readSafetensors(bytes as Uint8Array)).toThrow(message);
  });

  it("rejects integer dtypes with an UnsupportedError naming the tensor", () => {
    const bytes = file({ steps: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8));
    expect(() => readSafetensors(bytes)).toThrow(UnsupportedError);
    expect(() => readSafetensors(bytes)).toThrow(/"steps" has dtype I64/);
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
