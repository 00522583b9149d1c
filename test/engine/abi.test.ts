// The argument blocks the TypeScript engine writes and the wasm kernels read (assembly/plan.ts
// SequencePlan, assembly/dense.ts DenseJob): the field lists in src/engine/abi.ts must be the wasm
// classes' fields in declaration order (which is their memory layout), each 4 bytes, so a field
// swapped or added on one side only fails here — the engine checks only the total size at start-up.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DENSE_JOB_FIELDS, PLAN_FIELDS } from "../../src/engine/abi.js";
import { initEngine } from "../../src/engine/init.js";

/** The fields of `class name` in an AssemblyScript file, in order, with their types. */
function wasmFields(file: string, name: string): { field: string; type: string }[] {
  const source = readFileSync(fileURLToPath(new URL(`../../assembly/${file}`, import.meta.url)), "utf8");
  const body = source.match(new RegExp(`class ${name} \\{([^}]*)\\}`))?.[1];
  if (!body) throw new Error(`assembly/${file} declares no class ${name}`);
  return [...body.matchAll(/^\s*(\w+)\s*:\s*(\w+)\s*;/gm)].map((m) => ({ field: m[1], type: m[2] }));
}

const FOUR_BYTES = ["i32", "u32", "usize", "isize", "f32"];

describe("plan ABI", () => {
  for (const [file, name, fields] of [["plan.ts", "SequencePlan", PLAN_FIELDS], ["dense.ts", "DenseJob", DENSE_JOB_FIELDS]] as const) {
    it(`${name}: src/engine/abi.ts lists assembly/${file}'s fields in their order, all 4 bytes`, () => {
      const declared = wasmFields(file, name);
      expect(declared.length).toBeGreaterThan(10);
      expect(declared.map((d) => d.field)).toEqual([...fields]);
      expect(declared.filter((d) => !FOUR_BYTES.includes(d.type))).toEqual([]);
    });
  }

  it("the sizes the wasm side reports are the lists' sizes", async () => {
    const engine = await initEngine();
    expect(engine.core.planBytes()).toBe(PLAN_FIELDS.length * 4);
    expect(engine.core.denseJobBytes()).toBe(DENSE_JOB_FIELDS.length * 4);
  });
});
