// Asserting on thrown errors: the class (a WasmRnnError subclass) and the message.

import { expect } from "vitest";
import type { WasmRnnError } from "../../src/errors.js";

export function expectError(fn: () => unknown, type: new (...args: never[]) => WasmRnnError, message: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, "should throw").toBeInstanceOf(type);
  expect((thrown as Error).message).toMatch(message);
}
