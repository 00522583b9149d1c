// A protobuf wire-format reader for the ONNX messages: fields with their wire types, varints (as
// numbers or 64-bit bigints), fixed32 floats, packed and unpacked repeated scalars, and nested
// messages. Every length is checked against the bytes that remain before anything is read or
// allocated, and every failure is a FormatError naming the byte offset and the field.

import { FormatError } from "../../errors.js";

export const enum Wire {
  Varint = 0,
  Fixed64 = 1,
  Bytes = 2,
  Fixed32 = 5,
}

/** One field of a message: its number, wire type and the offset of its tag. */
export interface Field {
  readonly number: number;
  readonly wire: Wire;
  readonly at: number;
}

const WIRE_NAMES = ["varint", "fixed64", "length-delimited", "start-group", "end-group", "fixed32"];
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Reads the fields of one message, bytes[start, end), named `what` in error messages (e.g. "NodeProto"). */
export class ProtoReader {
  private pos: number;

  constructor(private readonly bytes: Uint8Array, start: number, private end: number, readonly what: string) {
    this.pos = start;
  }

  /** The fields in order; a caller reads each field's value (or skips it) before the next one. */
  *fields(): Generator<Field, void, void> {
    while (this.pos < this.end) {
      const at = this.pos;
      const key = this.varint();
      const number = Math.floor(key / 8);
      const wire = key % 8;
      if (number < 1 || number > 536870911) this.fail(at, `field number ${number} is out of range`);
      if (wire !== Wire.Varint && wire !== Wire.Fixed64 && wire !== Wire.Bytes && wire !== Wire.Fixed32) {
        this.fail(at, `field ${number} has wire type ${WIRE_NAMES[wire] ?? wire}, which ONNX does not use`);
      }
      const field = { number, wire, at } as Field;
      const before = this.pos;
      yield field;
      if (this.pos === before) this.skip(field);
    }
  }

  /** An unsigned varint as a number (FormatError above 2^53). */
  uint(field: Field, name: string): number {
    this.expect(field, Wire.Varint, name);
    return this.varint();
  }

  /** A signed int64 varint as a number (exact within ±2^53, the nearest double beyond). */
  int(field: Field, name: string): number {
    this.expect(field, Wire.Varint, name);
    return Number(this.int64());
  }

  float(field: Field, name: string): number {
    this.expect(field, Wire.Fixed32, name);
    return this.fixed32();
  }

  /** A length-delimited field's bytes (a view, no copy). */
  bytesField(field: Field, name: string): Uint8Array {
    this.expect(field, Wire.Bytes, name);
    const { start, end } = this.span(name);
    return this.bytes.subarray(start, end);
  }

  string(field: Field, name: string): string {
    const at = this.pos;
    const raw = this.bytesField(field, name);
    try {
      return utf8.decode(raw);
    } catch {
      return this.fail(at, `${name} is not valid UTF-8`);
    }
  }

  /** A reader over a nested message. */
  message(field: Field, name: string, what: string): ProtoReader {
    this.expect(field, Wire.Bytes, name);
    const { start, end } = this.span(name);
    return new ProtoReader(this.bytes, start, end, what);
  }

  /** Appends a repeated int64 field's values (packed or one per field) as bigints. */
  int64s(field: Field, name: string, into: bigint[]): void {
    this.repeated(field, Wire.Varint, name, () => into.push(this.int64()));
  }

  /** Appends a repeated int32/int64 field's values as numbers (exact within ±2^53, the nearest double beyond). */
  ints(field: Field, name: string, into: number[]): void {
    this.repeated(field, Wire.Varint, name, () => into.push(Number(this.int64())));
  }

  /** Appends a repeated float field's values (packed or one per field). */
  floats(field: Field, name: string, into: number[]): void {
    this.repeated(field, Wire.Fixed32, name, () => into.push(this.fixed32()));
  }

  /** Appends a repeated double field's values (packed or one per field). */
  doubles(field: Field, name: string, into: number[]): void {
    this.repeated(field, Wire.Fixed64, name, () => into.push(this.fixed64()));
  }

  /** Throws a FormatError about the byte at `at`. */
  fail(at: number, problem: string): never {
    throw new FormatError(`ONNX: ${this.what} at byte ${at}: ${problem}`);
  }

  private repeated(field: Field, element: Wire, name: string, read: () => void): void {
    if (field.wire === element) {
      read();
      return;
    }
    this.expect(field, Wire.Bytes, name);
    const { start, end } = this.span(name);
    // Read the packed block as if it were the whole message, so a value running past it fails.
    const outer = this.end;
    this.pos = start;
    this.end = end;
    try {
      while (this.pos < end) read();
    } finally {
      this.end = outer;
    }
  }

  private expect(field: Field, wire: Wire, name: string): void {
    if (field.wire !== wire) this.fail(field.at, `${name} (field ${field.number}) has wire type ${WIRE_NAMES[field.wire]}, expected ${WIRE_NAMES[wire]}`);
  }

  /** A length prefix and the span it covers, checked against the end of this message. */
  private span(name: string): { start: number; end: number } {
    const at = this.pos;
    const length = this.varint();
    const start = this.pos;
    if (length > this.end - start) this.fail(at, `${name} is ${length} bytes long but only ${this.end - start} remain`);
    this.pos = start + length;
    return { start, end: this.pos };
  }

  private skip(field: Field): void {
    switch (field.wire) {
      case Wire.Varint:
        this.int64();
        return;
      case Wire.Fixed64:
        this.need(8, field);
        this.pos += 8;
        return;
      case Wire.Fixed32:
        this.need(4, field);
        this.pos += 4;
        return;
      case Wire.Bytes:
        this.span(`field ${field.number}`);
    }
  }

  private need(n: number, field: Field): void {
    if (this.end - this.pos < n) this.fail(this.pos, `field ${field.number} needs ${n} bytes but only ${this.end - this.pos} remain`);
  }

  private fixed32(): number {
    if (this.end - this.pos < 4) this.fail(this.pos, `a float needs 4 bytes but only ${this.end - this.pos} remain`);
    const b = this.bytes, p = this.pos;
    FLOAT_BYTES[0] = b[p];
    FLOAT_BYTES[1] = b[p + 1];
    FLOAT_BYTES[2] = b[p + 2];
    FLOAT_BYTES[3] = b[p + 3];
    this.pos += 4;
    return FLOAT_VIEW[0];
  }

  private fixed64(): number {
    if (this.end - this.pos < 8) this.fail(this.pos, `a double needs 8 bytes but only ${this.end - this.pos} remain`);
    for (let i = 0; i < 8; i++) DOUBLE_BYTES[i] = this.bytes[this.pos + i];
    this.pos += 8;
    return DOUBLE_VIEW[0];
  }

  /** An unsigned varint up to 2^53 as a number. */
  private varint(): number {
    const at = this.pos;
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      if (this.pos >= this.end) this.fail(at, "truncated varint");
      const byte = this.bytes[this.pos++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
      if (shift >= 49) this.fail(at, "varint does not fit in 53 bits");
    }
    if (value > Number.MAX_SAFE_INTEGER) this.fail(at, "varint does not fit in 53 bits");
    return value;
  }

  /** A varint of up to 10 bytes as a two's-complement int64. */
  private int64(): bigint {
    const at = this.pos;
    let lo = 0, hi = 0;
    for (let i = 0; ; i++) {
      if (i === 10) this.fail(at, "varint longer than 10 bytes");
      if (this.pos >= this.end) this.fail(at, "truncated varint");
      const byte = this.bytes[this.pos++];
      if (i < 4) lo |= (byte & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (byte & 0x0f) << 28;
        hi |= (byte & 0x7f) >> 4;
      } else hi |= (byte & 0x7f) << (7 * i - 32);
      if (byte < 0x80) break;
    }
    return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
  }
}

const FLOAT_VIEW = new Float32Array(1);
const FLOAT_BYTES = new Uint8Array(FLOAT_VIEW.buffer);
const DOUBLE_VIEW = new Float64Array(1);
const DOUBLE_BYTES = new Uint8Array(DOUBLE_VIEW.buffer);
