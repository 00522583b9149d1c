// Reading the official ONNX backend node tests copied into test/fixtures: each test_* folder holds
// model.onnx and test_data_set_0/{input,output}_N.pb.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { onnx } from "../../src/index.js";
import { readTensorProto } from "../../src/io/onnx/tensor-proto.js";

/** The test folders' names in a folder of node tests, sorted. */
export function nodeTests(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.startsWith("test_")).sort();
}

/** The tensors of one test's data set whose files start with `prefix` ("input_" or "output_"), in order. */
export function readDataSet(dir: string, test: string, prefix: string): onnx.Tensor[] {
  const set = join(dir, test, "test_data_set_0");
  return readdirSync(set)
    .filter((f) => f.startsWith(prefix))
    .sort((a, b) => parseInt(a.slice(prefix.length), 10) - parseInt(b.slice(prefix.length), 10))
    .map((f) => readTensorProto(readFileSync(join(set, f))).tensor);
}
