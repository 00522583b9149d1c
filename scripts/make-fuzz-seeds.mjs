// Writes the seed corpora of the parser fuzzers (test/fuzz/) into test/fixtures/fuzz/: tiny safetensors
// files of every dtype wasm-rnn reads (I8 included), small ONNX models copied from test/fixtures (recurrent
// nodes and the operators around them), and tfjs layers
// models (saved by @tensorflow/tfjs) packed as keras seeds. Run: node scripts/make-fuzz-seeds.mjs

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";

const FIXTURES = fileURLToPath(new URL("../test/fixtures/", import.meta.url));
const OUT = `${FIXTURES}fuzz/`;

/** Deterministic values in [-0.5, 0.5). */
function values(n, seed) {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 0.5);
}

function write(dir, name, bytes) {
  mkdirSync(`${OUT}${dir}`, { recursive: true });
  writeFileSync(`${OUT}${dir}/${name}`, bytes);
}

// ---- safetensors: header built by hand, so F16, BF16, F64 and I8 appear too ----------------------------

/** tensors: [name, dtype, shape, raw bytes]. */
function safetensors(tensors, metadata) {
  const header = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const [name, dtype, shape, raw] of tensors) {
    header[name] = { dtype, shape, data_offsets: [offset, offset + raw.length] };
    offset += raw.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const [, , , raw] of tensors) {
    out.set(raw, at);
    at += raw.length;
  }
  return out;
}

const bytesOf = (typed) => new Uint8Array(typed.buffer);
const bf16 = (floats) => bytesOf(Uint16Array.from(new Uint32Array(floats.buffer), (w) => w >>> 16));
write("safetensors", "f32_metadata.safetensors", safetensors([["rnn.weight_ih", "F32", [2, 3], bytesOf(values(6, 1))], ["rnn.bias", "F32", [3], bytesOf(values(3, 2))]], { format: "pt", config: '{"hidden":3}' }));
write("safetensors", "f16_bf16.safetensors", safetensors([["half", "F16", [2, 2], bytesOf(Uint16Array.of(0x3c00, 0xc000, 0x0001, 0x7bff))], ["brain", "BF16", [3], bf16(values(3, 3))]]));
write("safetensors", "f64_scalar_empty.safetensors", safetensors([["scalar", "F64", [], bytesOf(Float64Array.of(0.25))], ["empty", "F32", [0, 4], new Uint8Array(0)], ["wide", "F64", [2], bytesOf(Float64Array.of(1e300, -3))]]));
// A quantized layer's entries: int8 weights (I8, odd sizes) beside their float32 scales, int8 data after the float32.
const int8 = (n, seed) => bytesOf(Int8Array.from({ length: n }, (_, i) => ((i * 37 + seed) % 256) - 128));
write("safetensors", "i8_quantized.safetensors", safetensors([["rnn.scale", "F32", [3], bytesOf(values(3, 4))], ["rnn.weight_ih", "I8", [3, 5], int8(15, 1)], ["rnn.weight_hh", "I8", [3, 3], int8(9, 2)]]));
write("safetensors", "pytorch_tagger.safetensors", readFileSync(`${FIXTURES}interop/tagger.safetensors`));

// ---- ONNX: small models of the fixtures, covering every operator and recurrent attribute family ----

for (const model of [
  "onnx/ops_opset9", "onnx/ops_opset11", "onnx/ops_opset13", "onnx/ops_opset15", "onnx/torch_gru",
  "onnx/attr_lstm_bidirectional_peepholes", "onnx/attr_lstm_int64_lengths", "onnx/attr_lstm_weights_as_inputs",
  "onnx/attr_gru_reset_after_bidirectional", "onnx/attr_gru_activations_clip", "onnx/attr_rnn_relu_bidirectional",
  "onnx-node/test_lstm_with_peepholes", "onnx-node/test_gru_seq_length",
  // The operators real exports put around their recurrent nodes: subgraphs, convolutions, pads, scatters, float16.
  "onnx-node-operators/test_if", "onnx-node-operators/test_basic_conv_with_padding", "onnx-node-operators/test_convtranspose_pads",
  "onnx-node-operators/test_conv_with_autopad_same", "onnx-node-operators/test_reflect_pad", "onnx-node-operators/test_scatternd",
  "onnx-node-operators/test_layer_normalization_3d_axis1_epsilon", "onnx-node-operators/test_reduce_mean_keepdims_example",
  "onnx-node-operators/test_cast_FLOAT_to_FLOAT16", "onnx-node-operators/test_batchnorm_epsilon", "onnx-node-operators/test_prelu_broadcast",
  "onnx-node-operators/test_gather_elements_negative_indices", "onnx-node-operators/test_split_variable_parts_2d_opset18",
]) write("onnx", `${model.split("/")[1]}.onnx`, readFileSync(`${FIXTURES}${model}/model.onnx`));

// ---- keras: model.json and weights in one file (the format test/fuzz/targets.ts reads) --------------

/** A u32 little-endian byte length of model.json, model.json, then the weight bytes. */
function kerasSeed(modelJson, weights) {
  const json = new TextEncoder().encode(typeof modelJson === "string" ? modelJson : JSON.stringify(modelJson));
  const out = new Uint8Array(4 + json.length + weights.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 4);
  out.set(weights, 4 + json.length);
  return out;
}

/** model.json and weight bytes as tf.io saves a model, with seeded weights. */
async function saved(model, seed) {
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(values(w.size, seed * 100 + i), w.shape)));
  let artifacts;
  await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } })));
  const modelJson = { format: "layers-model", generatedBy: artifacts.generatedBy, convertedBy: null, modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs }] };
  return { modelJson, weights: new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData)) };
}

await tf.setBackend("cpu");
{
  const model = tf.sequential({ layers: [
    tf.layers.embedding({ inputDim: 6, outputDim: 3, maskZero: true, inputLength: 4, name: "embed" }),
    tf.layers.lstm({ units: 2, returnSequences: true, name: "lstm" }),
    tf.layers.gru({ units: 2, name: "gru" }),
    tf.layers.dense({ units: 3, activation: "softmax", name: "out" }),
  ] });
  const { modelJson, weights } = await saved(model, 1);
  write("keras", "sequential_embedding_lstm_gru.bin", kerasSeed(modelJson, weights));
}
{
  const ids = tf.input({ shape: [4], dtype: "int32", name: "ids" });
  const features = tf.input({ shape: [2], name: "features" });
  const embedded = tf.layers.embedding({ inputDim: 5, outputDim: 2, name: "embed" }).apply(ids);
  const encoded = tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 2, name: "lstm" }), mergeMode: "sum", name: "bi" }).apply(embedded);
  const joined = tf.layers.concatenate({ name: "join" }).apply([encoded, features]);
  const output = tf.layers.dense({ units: 2, activation: "sigmoid", name: "out" }).apply(joined);
  const { modelJson, weights } = await saved(tf.model({ inputs: [ids, features], outputs: output }), 2);
  write("keras", "functional_bidirectional_concat.bin", kerasSeed(modelJson, weights));
}
{
  const model = tf.sequential({ layers: [
    tf.layers.masking({ maskValue: 0, inputShape: [3, 2], name: "mask" }),
    tf.layers.simpleRNN({ units: 2, returnSequences: true, goBackwards: true, name: "rnn" }),
    tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2 }), name: "td" }),
    tf.layers.activation({ activation: "tanh", name: "act" }),
    tf.layers.dropout({ rate: 0.5, name: "drop" }),
  ] });
  const { modelJson, weights } = await saved(model, 3);
  write("keras", "masking_simplernn_timedistributed.bin", kerasSeed(modelJson, weights));
}
{
  // Dense weights quantized to uint8 (value = q·scale + min), as tensorflowjs_converter can write them.
  const { modelJson } = await saved(tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], name: "dense" })] }), 4);
  const specs = modelJson.weightsManifest[0].weights.map((spec) => ({ ...spec, quantization: { dtype: "uint8", min: -0.5, scale: 1 / 255 } }));
  const count = specs.reduce((n, spec) => n + spec.shape.reduce((a, b) => a * b, 1), 0);
  const quantized = Uint8Array.from({ length: count }, (_, i) => (i * 37) % 256);
  write("keras", "dense_uint8_quantized.bin", kerasSeed({ ...modelJson, weightsManifest: [{ paths: ["weights.bin"], weights: specs }] }, quantized));
}
{
  // Keras (Python) style, model_config wrapper and GRU reset_after, hand-written in test/fixtures/keras.
  const modelJson = readFileSync(`${FIXTURES}keras/gru-reset-after/model.json`, "utf8");
  const specs = JSON.parse(modelJson).weightsManifest[0].weights;
  const count = specs.reduce((n, spec) => n + spec.shape.reduce((a, b) => a * b, 1), 0);
  write("keras", "keras_gru_reset_after.bin", kerasSeed(modelJson, bytesOf(values(count, 5))));
}
