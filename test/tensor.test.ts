// tensor(): float32 from numbers or a Float32Array, int8 from an Int8Array (used as is, never
// converted), and the dtype each reports.

import { describe, expect, it } from "vitest";
import { tensor, zeros, ShapeError } from "../src/index.js";

describe("tensor", () => {
  it("keeps a Float32Array or an Int8Array as is and reports its dtype", () => {
    const floats = new Float32Array([1, 2]);
    const ints = Int8Array.of(-3, 4);
    expect(tensor(floats, [2]).data).toBe(floats);
    expect(tensor(floats, [2]).dtype).toBe("float32");
    const q = tensor(ints, [1, 2]);
    expect(q.data).toBe(ints);
    expect(q.dtype).toBe("int8");
    expect(q.size).toBe(2);
    expect(zeros([3]).dtype).toBe("float32");
  });

  it("copies other numbers into float32, other integer arrays included", () => {
    for (const data of [[1, -2], Uint8Array.of(1, 254), Int16Array.of(1, -2)]) {
      const t = tensor(data, [2]);
      expect(t.dtype).toBe("float32");
      expect(t.data).toEqual(Float32Array.from(data));
    }
  });

  it("refuses int8 data that does not fill the shape", () => {
    expect(() => tensor(new Int8Array(3), [2, 2])).toThrow(ShapeError);
    expect(() => tensor(new Int8Array(3), [2, 2])).toThrow("tensor: 3 values do not fill shape [2, 2] (4 values)");
  });
});
