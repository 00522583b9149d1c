// decodeStream: one source's greedy or sampled decoding, token by token — the pieces add up to decode's
// text (the demo's trained dates model, float32 and int8); streams interleaved with each other and
// with batched decodes give what each gives alone; the stream's wasm memory is given back however
// it ends; AbortSignal and break stop it; beam search and bad options are refused up front.

import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { CancelledError, init, loadCheckpoint, quantizeDynamic, ShapeError, UnsupportedError, type DecodeStreamOptions, type Seq2Seq } from "../../src/index.js";
import { engine } from "../../src/engine/engine.js";

let model: Seq2Seq;
const SOURCES = ["March 3, 2024", "12/25/1999", "the 4th of July 1976", "2001-9-11"];

beforeAll(async () => {
  await init();
  model = loadCheckpoint(fileURLToPath(new URL("../../web/models/dates/", import.meta.url))).model as Seq2Seq;
});

async function streamed(m: Seq2Seq, source: string, options: DecodeStreamOptions = {}): Promise<string[]> {
  const pieces: string[] = [];
  for await (const piece of m.decodeStream(source, options)) pieces.push(piece);
  return pieces;
}

describe("decodeStream", () => {
  it("gives decode's text token by token, greedy and sampled, float32 and int8", async () => {
    for (const m of [model, quantizeDynamic(model)]) {
      for (const options of [{}, { strategy: "sample" as const, seed: 3, temperature: 0.7 }, { maxLength: 4 }]) {
        for (const source of SOURCES) {
          const pieces = await streamed(m, source, options);
          expect(pieces.join(""), `${source} ${JSON.stringify(options)}`).toBe(m.decode([source], options)[0].text);
          expect(pieces.length).toBeGreaterThan(1);
        }
      }
    }
  });

  it("keeps its own encoded source and state: interleaved streams and batched decodes give what each gives alone", async () => {
    const interleaved = async () => {
      const streams = SOURCES.map((s) => model.decodeStream(s));
      const got = SOURCES.map(() => "");
      for (let step = 0; step < 12; step++) {
        for (const [i, g] of streams.entries()) {
          const next = await g.next();
          if (!next.done) got[i] += next.value;
        }
        model.decode(["1/2/2003", "5 May 1999"], { strategy: "beam", beamWidth: 3 });
      }
      for (const g of streams) await g.return();
      return got;
    };
    expect(await interleaved()).toEqual(model.decode(SOURCES).map((d) => d.text));
    // The model's own buffers have grown to these sizes; the streams' copies were all given back.
    const used = engine().arena.usedBytes;
    await interleaved();
    expect(engine().arena.usedBytes).toBe(used);
  });

  it("stops on an AbortSignal or a break, releasing its memory; refuses beam search and bad options up front", async () => {
    for await (const _ of model.decodeStream(SOURCES[1])) break; // the model's buffers at these sizes
    const used = engine().arena.usedBytes;
    const controller = new AbortController();
    let count = 0;
    const run = (async () => {
      for await (const _ of model.decodeStream(SOURCES[0], { signal: controller.signal })) if (++count === 2) controller.abort();
    })();
    await expect(run).rejects.toThrow(CancelledError);
    for await (const _ of model.decodeStream(SOURCES[1])) break;
    expect(engine().arena.usedBytes).toBe(used);
    expect(() => model.decodeStream(SOURCES[0], { strategy: "beam" })).toThrow(UnsupportedError);
    expect(() => model.decodeStream(SOURCES[0], { maxLength: 0 })).toThrow(ShapeError);
    expect(() => model.decodeStream([9999])).toThrow(ShapeError);
  });
});
