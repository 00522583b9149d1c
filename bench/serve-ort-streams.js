// The streams benchmark's native peer (`node serve-ort-streams.js SILERO.onnx`): a minimal Node HTTP
// server around onnxruntime-node (CPU provider, one thread) that answers `wasm-rnn serve`'s infer
// request for a Silero stream — input [1, 576] and sr, parameters sequence_id/start/end — keeping each
// stream's state in a Map and running the model once per request, as a hand-written server would.
// Prints `listening on http://HOST:PORT`.

import { createServer } from "node:http";
import ort from "onnxruntime-node";

const session = await ort.InferenceSession.create(process.argv[2], { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: "all" });
const states = new Map();
const sr = new ort.Tensor("int64", BigInt64Array.from([16000n]), []);

const server = createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  try {
    const { inputs, parameters } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    const input = inputs.find((i) => i.name === "input");
    const id = parameters.sequence_id;
    const state = parameters.sequence_start ? new ort.Tensor("float32", new Float32Array(256), [2, 1, 128]) : states.get(id);
    if (!state) throw new Error(`sequence ${id} is not open`);
    const out = await session.run({ input: new ort.Tensor("float32", Float32Array.from(input.data), input.shape), state, sr });
    if (parameters.sequence_end) states.delete(id);
    else states.set(id, out.stateN);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ model_name: "silero", outputs: [{ name: "output", datatype: "FP32", shape: out.output.dims, data: Array.from(out.output.data) }] }));
  } catch (e) {
    res.writeHead(400, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: String(e?.message ?? e) }));
  }
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
