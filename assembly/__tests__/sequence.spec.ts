// Data movement around the cells: reversal within each sequence's length, column slices, padding.

import { mapSteps, addColumnSums } from "../sequence";
import { floats, guardIntact } from "./helpers.include";

describe("mapSteps", () => {
  it("reverses each sequence within its length and zeroes padding", () => {
    // T = 4, B = 2, F = 1; lengths [4, 2]; src[t, b] = 10·b + t.
    let T = 4, B = 2;
    let src = floats(T * B), dst = floats(T * B);
    let lengths = heap.alloc(8);
    store<i32>(lengths, 4); store<i32>(lengths, 2, 4);
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        let value = 10 * b + t;
        store<f32>(src + (<usize>(t * B + b) << 2), <f32>value);
      }
    }
    mapSteps(T, B, 1, src, 1, dst, 1, lengths, 1, 0);
    // b = 0: 3 2 1 0; b = 1: 11 10 0 0
    expect(load<f32>(dst)).toBe(3); expect(load<f32>(dst, 8)).toBe(2); expect(load<f32>(dst, 24)).toBe(0);
    expect(load<f32>(dst, 4)).toBe(11); expect(load<f32>(dst, 12)).toBe(10);
    expect(load<f32>(dst, 20)).toBe(0); expect(load<f32>(dst, 28)).toBe(0);
    expect(guardIntact(dst, T * B)).toBe(true);
  });

  it("accumulates into a column slice without touching other columns", () => {
    let T = 2, B = 1, F = 3;
    let src = floats(T * F), dst = floats(T * 2 * F);
    for (let i = 0; i < T * F; i++) store<f32>(src + (<usize>i << 2), 1);
    mapSteps(T, B, F, src, F, dst + (<usize>F << 2), 2 * F, 0, 0, 1);
    expect(load<f32>(dst)).toBe(0);
    expect(load<f32>(dst, 12)).toBe(1);
    expect(load<f32>(dst, 36)).toBe(1);
  });
});

describe("addColumnSums", () => {
  it("adds the sum of each column with a row stride", () => {
    let rows = 3, cols = 19, ld = 21;
    let src = floats(rows * ld), dst = floats(cols);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < ld; j++) {
        let value = j + 1;
        store<f32>(src + (<usize>(r * ld + j) << 2), <f32>value);
      }
    }
    store<f32>(dst, 1);
    addColumnSums(rows, cols, src, ld, dst);
    expect(load<f32>(dst)).toBe(4);
    expect(load<f32>(dst, 18 * 4)).toBe(57);
    expect(guardIntact(dst, cols)).toBe(true);
  });
});
