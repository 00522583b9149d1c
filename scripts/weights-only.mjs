// Copies a checkpoint keeping the model only (drops the optimizer state and the trainer's position),
// for shipping a trained model: node scripts/weights-only.mjs FROM_DIR TO_DIR

import { loadCheckpoint, saveCheckpoint } from "../dist/node.js";

const [from, to] = process.argv.slice(2);
if (!from || !to) {
  console.error("usage: node scripts/weights-only.mjs FROM_DIR TO_DIR");
  process.exit(2);
}
const { model } = loadCheckpoint(from);
saveCheckpoint(to, model);
console.log(`${to}: ${model.modelType}, ${model.parameterCount.toLocaleString("en")} parameters`);
model.dispose();
