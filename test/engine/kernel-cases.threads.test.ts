// The rows of the kernel case tables that the thread team runs (`threads` rows of test/cases/dense.json
// and int8.json) split over a team of two on the test build, against one thread (float32 to rounding,
// int8 bit for bit) and the naive references, guard bytes checked after every call
// (test/suites/kernel-cases.ts). Imports the built package (dist/), since the team's members run
// dist/engine/threads/team-worker.js.

import { initEngine } from "../../dist/engine/init.js";
import { encodeDenseJob } from "../../dist/engine/engine.js";
import { chooseIntegerDot } from "../../dist/engine/integer-dot.js";
import { GUARD_BYTES } from "../helpers/guards.js";
import { KernelKit } from "../helpers/kernel-kit.js";
import { TESTING_BUILD } from "../helpers/testing-core.js";
import { kernelTeamSuite } from "../suites/kernel-cases.js";
import { denseFamily } from "../suites/kernels/dense.js";
import { int8Family } from "../suites/kernels/int8.js";

kernelTeamSuite(async () => {
  const engine = await initEngine({ threads: 2, wasmBaseUrl: TESTING_BUILD });
  engine.arena.guard(GUARD_BYTES);
  const team = engine.team!;
  return new KernelKit(engine, {
    team: { size: team.size, runDense: (kernel, parts) => team.run(kernel, parts.map(encodeDenseJob)) },
    chooseIntegerDot: (wanted) => chooseIntegerDot(engine, wanted),
  });
}, [denseFamily, int8Family]);
