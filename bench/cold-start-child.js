// Child process of the cold-start measurement (`node cold-start-child.js ours|ort-web`): prints the
// ms from before loading the library (its import, wasm compile, init) to the first W1 result.
// Weights and inputs are made before the clock starts; converting them is part of the timed path.

import { WORKLOADS, stateDict, data } from "./workloads.js";
import { loadOurs } from "./peers/ours.js"; // these two load their library only when called
import { loadOrt } from "./peers/ort.js";

const peer = process.argv[2];
const w = WORKLOADS.find((x) => x.id === "W1");
const sd = stateDict(w), input = data(w);

const t0 = performance.now();
const loaded = peer === "ours" ? await loadOurs() : await loadOrt("web");
const handle = await loaded.prepare(w, sd, input);
await handle.result();
process.stdout.write(JSON.stringify({ ms: performance.now() - t0 }));
