// The thread team's worker entry: only the engine and the member loop (no layers or models, so it
// loads fast), exposed through Comlink like the pool's worker.js.

import { serveTeam } from "./team-member.js";
import type { Joinable } from "./attach.js";
import { attachEngine } from "../engine.js";
import { exposeToParent } from "../../platform/current.js";

/** What the team asks of its workers. */
export interface TeamWorkerApi extends Joinable {
  /** Joins the team as member `index`, serving the jobs of the control block at `control`. */
  serveTeam(control: number, index: number): void;
}

const api: TeamWorkerApi = {
  async init(setup) {
    await attachEngine(setup);
  },
  serveTeam(control, index) {
    void serveTeam(control, index);
  },
};

exposeToParent(api);
