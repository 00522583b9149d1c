// The worker pool's worker entry: exposes a Host through Comlink to the thread that started it.

import { Host } from "./host.js";
import { exposeToParent } from "../platform/current.js";

exposeToParent(new Host());
