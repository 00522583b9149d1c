// The training progress display of the CLI: a bar on stderr with loss, throughput and ETA (cli-progress,
// which also handles non-terminal output), and a way to print lines to stdout without garbling it.

import cliProgress from "cli-progress";
import type { TrainProgress } from "../train/trainer.js";

export interface ProgressDisplay {
  /** Feed to TrainerOptions.onProgress. */
  update(p: TrainProgress): void;
  /** Writes text to stdout (through the bar, which redraws itself, when both share a terminal). */
  print(text: string): void;
  stop(): void;
}

/** A progress bar for `total` steps counting `unit` per second; `quiet` shows nothing. */
export function progressDisplay(total: number, unit: string, quiet: boolean): ProgressDisplay {
  const bars = new cliProgress.MultiBar({
    format: `{bar} {percentage}% | step {value}/{total} | loss {loss} | {speed} ${unit}/s | ETA {eta_formatted}`,
    hideCursor: true,
    clearOnComplete: false,
    stream: process.stderr,
    noTTYOutput: true,
    notTTYSchedule: 10_000,
  }, cliProgress.Presets.shades_classic);
  const bar = quiet ? null : bars.create(total, 0, { loss: "—", speed: "—" });
  const shared = () => process.stdout.isTTY && process.stderr.isTTY;
  return {
    update(p) {
      const fields: Record<string, string> = { speed: Math.round(p.throughput).toLocaleString("en") };
      if (Number.isFinite(p.loss)) fields.loss = p.loss.toFixed(3);
      bar?.update(p.step, fields);
    },
    print(text) {
      if (quiet) return;
      if (shared()) bars.log(text);
      else process.stdout.write(text);
    },
    stop() {
      bars.stop();
    },
  };
}
