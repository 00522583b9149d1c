// The load benchmark's native peer (`node serve-ort.js MODEL.onnx`): a minimal Node HTTP server around
// onnxruntime-node (CPU provider, 2 intra-op threads) that answers the same Open Inference Protocol
// infer request as `wasm-rnn serve` for a classifier — input_ids [1, T] → probabilities — running the
// model once per request, as a hand-written server would. Prints `listening on http://HOST:PORT`.

import { createServer } from "node:http";
import ort from "onnxruntime-node";

const session = await ort.InferenceSession.create(process.argv[2], { intraOpNumThreads: 2, interOpNumThreads: 1, graphOptimizationLevel: "all" });

const server = createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  try {
    const { inputs } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    const ids = inputs.find((i) => i.name === "input_ids");
    const [B, T] = ids.shape;
    const out = await session.run({
      ids: new ort.Tensor("int64", BigInt64Array.from(ids.data, BigInt), [B, T]),
      lengths: new ort.Tensor("int32", new Int32Array(B).fill(T), [B]),
    });
    const p = out.probabilities;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ model_name: "classifier", outputs: [{ name: "probabilities", datatype: "FP32", shape: p.dims, data: Array.from(p.data) }] }));
  } catch (e) {
    res.writeHead(400, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: String(e?.message ?? e) }));
  }
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
