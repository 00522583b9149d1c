// Malformed uses of the operators around recurrent nodes: each refused with the right error class at
// create (or, where only the data shows it, at run), its message naming the node and what is wrong —
// and a session that refused a run still runs good feeds afterwards.

import { describe, expect, it } from "vitest";
import { FormatError, NumericError, onnx, ShapeError, UnsupportedError, type WasmRnnError } from "../../src/index.js";
import { float, graph, modelBytes, node, subgraph, tensorProto, valueInfo } from "../../scripts/onnx-writer.mjs";
import { float32ToFloat16 } from "../../src/io/onnx/float16.js";

type ErrorClass = new (...args: never[]) => WasmRnnError;

const W = (dims: number[], fill = 0.1) => Float32Array.from({ length: dims.reduce((a, b) => a * b) }, (_, i) => fill * ((i % 7) - 3));

/** A model of one node reading x [1, 2, 8] (and the initializers), writing y. */
function oneNode(n: ReturnType<typeof node>, initializers: ReturnType<typeof tensorProto>[] = [], x: (number | string)[] = [1, 2, 8], opset = 17) {
  return modelBytes({ nodes: [n], initializers, inputs: [valueInfo("x", x)], outputs: [valueInfo("y", ["?"])], opset });
}

const CREATE: [string, Uint8Array, ErrorClass, RegExp][] = [
  ["Conv with a zero stride", oneNode(node("Conv", ["x", "w"], ["y"], { strides: [0] }), [tensorProto("w", [3, 2, 3], W([3, 2, 3]))]), FormatError, /node "Conv_y" \(Conv\): strides \[0\] must be positive integers/],
  ["Conv whose kernel_shape is not W's", oneNode(node("Conv", ["x", "w"], ["y"], { kernel_shape: [5] }), [tensorProto("w", [3, 2, 3], W([3, 2, 3]))]), FormatError, /node "Conv_y" \(Conv\): attribute "kernel_shape" \[5\] does not match W's \[3\]/],
  ["Conv with pads for the wrong rank", oneNode(node("Conv", ["x", "w"], ["y"], { pads: [1, 1, 1] }), [tensorProto("w", [3, 2, 3], W([3, 2, 3]))]), FormatError, /attribute "pads" has 3 values; W \[3, 2, 3\] has 1 spatial axes, so it needs 2/],
  ["Conv whose group does not divide W", oneNode(node("Conv", ["x", "w"], ["y"], { group: 2 }), [tensorProto("w", [3, 1, 3], W([3, 1, 3]))]), FormatError, /attribute "group" 2 does not divide W's 3 output channels/],
  ["Conv with an unknown auto_pad", oneNode(node("Conv", ["x", "w"], ["y"], { auto_pad: "SAME_MIDDLE" }), [tensorProto("w", [3, 2, 3], W([3, 2, 3]))]), FormatError, /auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID; got "SAME_MIDDLE"/],
  ["Conv weights with a NaN", oneNode(node("Conv", ["x", "w"], ["y"]), [tensorProto("w", [3, 2, 3], Object.assign(W([3, 2, 3]), { 4: NaN }))]), NumericError, /node "Conv_y" \(Conv\): weight "w" holds NaN at element 4/],
  ["float16 weights past ±65504", oneNode(node("Conv", ["x", "wh"], ["y"]), [tensorProto("wh", [3, 2, 3], float32ToFloat16(Object.assign(W([3, 2, 3]), { 2: 1e6 })), 10)]), NumericError, /weight "wh" holds Infinity at element 2 \(float16: beyond ±65504/],
  ["Pad with an unknown mode", oneNode(node("Pad", ["x", "p"], ["y"], { mode: "mirror" }), [tensorProto("p", [6], BigInt64Array.from([0n, 0n, 1n, 0n, 0n, 1n]))]), FormatError, /node "Pad_y" \(Pad\): mode must be "constant", "reflect" or "edge"/],
  ["ScatterND with an unknown reduction", oneNode(node("ScatterND", ["x", "i", "x"], ["y"], { reduction: "avg" }), [tensorProto("i", [1, 1], BigInt64Array.from([0n]))]), FormatError, /node "ScatterND_y" \(ScatterND\): reduction must be "none", "add" or "mul"; got "avg"/],
  ["LayerNormalization with stash_type 0", oneNode(node("LayerNormalization", ["x", "s"], ["y"], { stash_type: 0 }), [tensorProto("s", [8], W([8]))]), FormatError, /stash_type must be 1/],
  ["BatchNormalization in training mode", oneNode(node("BatchNormalization", ["x", "s", "s", "s", "s"], ["y"], { training_mode: 1 }), [tensorProto("s", [2], Float32Array.from([1, 1]))]), UnsupportedError, /training_mode 1 is not supported/],
  ["LeakyRelu with an attribute it does not have", oneNode(node("LeakyRelu", ["x"], ["y"], { alpha: float(0.1), beta: float(1) })), UnsupportedError, /node "LeakyRelu_y" \(LeakyRelu\) has attribute "beta"/],
  ["an If whose branches have different output counts", modelBytes({
    nodes: [node("If", ["c"], ["y"], {
      then_branch: subgraph(graph({ nodes: [node("Identity", ["x"], ["t"])], outputs: [valueInfo("t", [1, 2, 8])], name: "then" })),
      else_branch: subgraph(graph({ nodes: [node("Identity", ["x"], ["e1"]), node("Identity", ["x"], ["e2"])], outputs: [valueInfo("e1", [1, 2, 8]), valueInfo("e2", [1, 2, 8])], name: "else" })),
    })],
    initializers: [tensorProto("c", [], Uint8Array.from([1]), 9)],
    inputs: [valueInfo("x", [1, 2, 8])], outputs: [valueInfo("y", [1, 2, 8])],
  }), FormatError, /node "If_y" \(If\) has 1 outputs but its else_branch has 2/],
  ["a Loop", oneNode(node("Loop", ["", "", "x"], ["y"], { body: subgraph(graph({ nodes: [], outputs: [valueInfo("x", [1])] })) })), UnsupportedError, /operator "Loop" is not supported by wasm-rnn/],
  ["a Scan", oneNode(node("Scan", ["x"], ["y"], { num_scan_inputs: 1, body: subgraph(graph({ nodes: [], outputs: [valueInfo("x", [1])] })) })), UnsupportedError, /operator "Scan" is not supported by wasm-rnn/],
];

describe("malformed operators are refused at create, naming the node", () => {
  it.each(CREATE)("%s", async (_, bytes, Kind, message) => {
    const error = await onnx.InferenceSession.create(bytes).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(Kind);
    expect((error as Error).message).toMatch(message);
  });
});

describe("what only the data shows is refused at run, and the session runs on", () => {
  it("an If on a condition of the wrong shape; a Split that does not add up; then good feeds", async () => {
    const branch = (name: string, op: string) => subgraph(graph({ nodes: [node(op, ["x"], [`${name}_out`])], outputs: [valueInfo(`${name}_out`, [3])], name }));
    const session = await onnx.InferenceSession.create(modelBytes({
      nodes: [node("If", ["c"], ["y"], { then_branch: branch("then", "Relu"), else_branch: branch("else", "Neg") })],
      initializers: [], inputs: [valueInfo("x", [3]), valueInfo("c", ["n"], new Uint8Array(1))], outputs: [valueInfo("y", [3])],
    }));
    const x = new onnx.Tensor("float32", [-1, 2, -3], [3]);
    await expect(session.run({ x, c: new onnx.Tensor("uint8", [1, 0], [2]) })).rejects.toThrow(/If_y.*the condition must be one bool; got uint8 \[2\]/);
    expect(Array.from((await session.run({ x, c: new onnx.Tensor("uint8", [0], [1]) })).y.data as Float32Array)).toEqual([1, -2, 3]);
    await session.release();
  });

  it("a Split whose sizes do not add up is a ShapeError naming the node", async () => {
    const session = await onnx.InferenceSession.create(oneNode(node("Split", ["x", "s"], ["y", "z"], { axis: 2 }), [tensorProto("s", [2], BigInt64Array.from([3n, 4n]))]));
    await expect(session.run({ x: new onnx.Tensor("float32", new Float32Array(16), [1, 2, 8]) })).rejects.toThrow(ShapeError);
    await expect(session.run({ x: new onnx.Tensor("float32", new Float32Array(16), [1, 2, 8]) })).rejects.toThrow(/node "Split_y" \(Split\): split \[3, 4\] does not add up to 8/);
    await session.release();
  });
});
