// A CommonJS TypeScript application: `require` (compiled from import) loads the entry without
// top-level await, and the application awaits init() itself.
import { init, LSTM, tensor, type EngineInfo } from "wasm-rnn";

async function main(): Promise<void> {
  const info: EngineInfo = await init();
  const lstm = new LSTM({ inputSize: 2, hiddenSize: 3 });
  console.log(info.threads, lstm.forward(tensor(new Float32Array(4), [2, 1, 2])).output.shape);
}

void main();
