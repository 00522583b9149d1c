// Decoding with a trained Seq2Seq: greedy, sampling (temperature, top-k, top-p) and beam search (width
// k, length normalisation, maximum length), for a batch of sources whose outputs finish at different
// steps; and one source's greedy or sampled decoding streamed token by token. One decoder step for the whole batch (or batch × beams) per wasm round; beams are reordered
// by gathering state rows inside wasm.

import { CancelledError, ShapeError, UnsupportedError } from "../../errors.js";
import { platform } from "../../platform/current.js";
import { Random } from "../../random.js";
import { BOS, EOS } from "../../text/vocabulary.js";
import { describe, optionsObject } from "../../validate.js";
import { checkSampling, drawToken, MAX_GENERATED, type SamplingOptions } from "../sampling.js";
import type { EncodedSources, Seq2Seq } from "./seq2seq.js";

export interface DecodeOptions extends SamplingOptions {
  /** "greedy" (default), "sample" or "beam". */
  strategy?: "greedy" | "sample" | "beam";
  /** Beam width (default 4); larger than the target vocabulary is an error. */
  beamWidth?: number;
  /** Most tokens generated per sequence, end token excluded (default 2 × the longest source + 10). */
  maxLength?: number;
  /** Beam scores are log p / length^lengthPenalty (default 1: mean log-probability; 0: none). */
  lengthPenalty?: number;
  seed?: number;
}

export interface Decoded {
  /** Target token ids, end token excluded. */
  tokens: number[];
  /** Decoded text. */
  text: string;
  /** Σ log p of the chosen tokens (and of the end token when it was produced). */
  logProb: number;
  /** Whether the end token was produced within maxLength. */
  finished: boolean;
}

/** Decoder states of `rows` rows in wasm buffers, carried from step to step. */
interface States {
  h: number;
  c: number;
}

/** @internal decode's options checked, with their defaults (maxLength's from the longest source). */
export function checkDecodeOptions(model: Seq2Seq, options: DecodeOptions, longest: number, where: string) {
  const strategy = options.strategy ?? "greedy";
  if (strategy !== "greedy" && strategy !== "sample" && strategy !== "beam") throw new ShapeError(`${where}: strategy must be "greedy", "sample" or "beam"; got ${describe(strategy)}`);
  const maxLength = options.maxLength ?? 2 * longest + 10;
  if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > MAX_GENERATED) throw new ShapeError(`${where}: maxLength must be an integer from 1 to ${MAX_GENERATED}; got ${describe(maxLength)}`);
  const beamWidth = options.beamWidth ?? 4;
  const V = model.sizes.V;
  if (!Number.isInteger(beamWidth) || beamWidth < 1 || beamWidth > V) throw new ShapeError(`${where}: beamWidth must be an integer from 1 to the target vocabulary size ${V}; got ${describe(beamWidth)}`);
  const lengthPenalty = options.lengthPenalty ?? 1;
  if (typeof lengthPenalty !== "number" || !Number.isFinite(lengthPenalty) || lengthPenalty < 0) throw new ShapeError(`${where}: lengthPenalty must be a finite number ≥ 0; got ${describe(lengthPenalty)}`);
  return { strategy, maxLength, beamWidth, lengthPenalty, ...checkSampling(options, where) };
}

/** Decodes each source (text or token ids). */
export function decodeSources(model: Seq2Seq, sources: readonly (string | readonly number[])[], options: DecodeOptions = {}): Decoded[] {
  const where = "Seq2Seq.decode";
  if (!Array.isArray(sources) || sources.length === 0) throw new ShapeError(`${where}: give a non-empty array of sources`);
  const ids = sources.map((s, b) => model.tokens(s, model.sourceTokenizer, `${where}: source ${b}`));
  const o = checkDecodeOptions(model, optionsObject(options, `${where}: options`), Math.max(...ids.map((s) => s.length)), where);
  const src = model.encode(ids, where);
  const results = o.strategy === "beam" ? beamSearch(model, src, o.beamWidth, o.maxLength, o.lengthPenalty) : stepwise(model, src, o, new Random(options.seed));
  return results.map((r) => ({ ...r, text: model.targetTokenizer.decode(r.tokens) }));
}

/** Copies the encoder-prepared initial states for `rows` rows, row r taken from row index[r]. */
function initialStates(model: Seq2Seq, src: EncodedSources, index: Int32Array | null, name: string): States {
  const eng = model.engine, pool = model.pool;
  const { H, L } = model.sizes;
  const rows = index ? index.length : src.batch;
  const copy = (from: number, key: string) => {
    const to = pool.floats(`${name}${key}`, L * rows * H);
    if (!index) eng.copy(to, from, L * rows * H);
    else gatherLayerRows(model, from, to, index, src.batch, L, H);
    return to;
  };
  return { h: copy(src.h0, "H"), c: src.c0 ? copy(src.c0, "C") : 0 };
}

/** dst[l, r] = src[l, index[r]] for states [L, rows, H] (src has `sourceRows` rows per layer). */
function gatherLayerRows(model: Seq2Seq, src: number, dst: number, index: Int32Array, sourceRows: number, L: number, H: number): void {
  const rows = index.length;
  const all = new Int32Array(L * rows);
  for (let l = 0; l < L; l++) for (let r = 0; r < rows; r++) all[l * rows + r] = l * sourceRows + index[r];
  const ptr = model.pool.ints("gatherIndex", all.length);
  model.engine.writeInt32(ptr, all);
  model.engine.core.gatherRows(L * rows, H, src, ptr, dst);
}

/** One decoder step for `rows` rows: feeds tokens, advances the states in place, returns log p [rows, V]. */
function step(model: Seq2Seq, src: EncodedSources, tokens: Int32Array, states: States, temperature: number): Float32Array {
  const eng = model.engine, core = eng.core;
  const { H, L, V } = model.sizes;
  const rows = tokens.length;
  const { logits, decoder } = model.decodeSteps(src, tokens, 1, rows, 0, states.h, states.c);
  eng.copy(states.h, decoder.hN, L * rows * H);
  if (states.c) eng.copy(states.c, decoder.cN, L * rows * H);
  const logp = model.pool.floats("logp", rows * V);
  core.logSoftmax(rows, V, logits, temperature, logp);
  return eng.read(logp, rows * V);
}

/** PAD, UNK and BOS are never produced. */
const NEVER = new Set([0, 1, BOS]);

/** The next token from a row of log-probabilities: the most likely (greedy), or drawn (sample). */
function chooseToken(row: Float32Array, o: ReturnType<typeof checkDecodeOptions>, random: Random): number {
  if (o.strategy === "sample") return drawToken(row.map(Math.exp), o.topK, o.topP, random, NEVER);
  let choice = -1;
  for (let v = 0; v < row.length; v++) if (!NEVER.has(v) && (choice < 0 || row[v] > row[choice])) choice = v;
  return choice;
}

/** Greedy or sampled decoding of the whole batch; rows that produced the end token stop contributing. */
function stepwise(model: Seq2Seq, src: EncodedSources, o: ReturnType<typeof checkDecodeOptions>, random: Random): Omit<Decoded, "text">[] {
  const B = src.batch, V = model.sizes.V;
  const states = initialStates(model, src, null, "greedy");
  const out = Array.from({ length: B }, () => ({ tokens: [] as number[], logProb: 0, finished: false }));
  let tokens = new Int32Array(B).fill(BOS);
  for (let t = 0; t < o.maxLength && out.some((r) => !r.finished); t++) {
    const logp = step(model, src, tokens, states, o.strategy === "sample" ? o.temperature : 1);
    const next = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      const r = out[b];
      if (r.finished) {
        next[b] = EOS;
        continue;
      }
      const row = logp.subarray(b * V, (b + 1) * V);
      const choice = chooseToken(row, o, random);
      r.logProb += row[choice];
      if (choice === EOS) r.finished = true;
      else r.tokens.push(choice);
      next[b] = choice;
    }
    tokens = next;
  }
  return out;
}

interface Hypothesis {
  tokens: number[];
  logProb: number;
}

/** Beam search per source with `k` beams, decoded together as B·k rows. */
function beamSearch(model: Seq2Seq, src: EncodedSources, k: number, maxLength: number, lengthPenalty: number): Omit<Decoded, "text">[] {
  const B = src.batch, V = model.sizes.V, rows = B * k;
  const { H, L } = model.sizes;
  const eng = model.engine, pool = model.pool;
  // Replicate the encoded sources per beam: row r decodes source ⌊r / k⌋.
  const parentOf = Int32Array.from({ length: rows }, (_, r) => Math.floor(r / k));
  const replicated = replicateSources(model, src, parentOf);
  const states = initialStates(model, src, parentOf, "beam");
  const score = (h: Hypothesis) => h.logProb / Math.max(1, h.tokens.length + 1) ** lengthPenalty;
  const beams: Hypothesis[][] = Array.from({ length: B }, () => [{ tokens: [], logProb: 0 }]);
  const finished: Hypothesis[][] = Array.from({ length: B }, () => []);
  const done = new Array<boolean>(B).fill(false);
  let tokens = new Int32Array(rows).fill(BOS);
  for (let t = 0; t < maxLength && done.some((d) => !d); t++) {
    const logp = step(model, replicated, tokens, states, 1);
    const parents = new Int32Array(rows);
    const next = new Int32Array(rows).fill(EOS);
    for (let b = 0; b < B; b++) {
      if (done[b]) {
        for (let j = 0; j < k; j++) parents[b * k + j] = b * k;
        continue;
      }
      // The k best continuations of the live beams (ties broken by beam, then token).
      const candidates: { beam: number; token: number; logProb: number }[] = [];
      beams[b].forEach((h, j) => {
        const row = logp.subarray((b * k + j) * V, (b * k + j + 1) * V);
        for (let v = 3; v < V; v++) candidates.push({ beam: j, token: v, logProb: h.logProb + row[v] }); // skip PAD, UNK, BOS
      });
      candidates.sort((x, y) => y.logProb - x.logProb || x.beam - y.beam || x.token - y.token);
      const live: Hypothesis[] = [];
      for (const c of candidates) {
        const parent = beams[b][c.beam];
        if (c.token === EOS) {
          if (finished[b].length < k) finished[b].push({ tokens: parent.tokens, logProb: c.logProb });
        } else {
          parents[b * k + live.length] = b * k + c.beam;
          next[b * k + live.length] = c.token;
          live.push({ tokens: [...parent.tokens, c.token], logProb: c.logProb });
          if (live.length === k) break; // end tokens ranked below the k-th live beam would be pruned anyway
        }
      }
      beams[b] = live;
      // Done when k hypotheses finished, or (without length normalisation, where scores only fall)
      // when no live beam can still beat the best finished one.
      const bestFinished = Math.max(...finished[b].map(score));
      done[b] = finished[b].length >= k || (lengthPenalty === 0 && finished[b].length > 0 && live.every((h) => score(h) < bestFinished));
    }
    // Reorder decoder states to the chosen parents.
    for (const key of ["h", "c"] as const) {
      if (!states[key]) continue;
      const tmp = pool.floats(`beamTmp${key}`, L * rows * H);
      eng.copy(tmp, states[key], L * rows * H);
      gatherLayerRows(model, tmp, states[key], parents, rows, L, H);
    }
    tokens = next;
  }
  return beams.map((live, b) => {
    const candidates = finished[b].length ? finished[b] : live;
    const best = candidates.reduce((a, h) => (score(h) > score(a) ? h : a));
    return { tokens: best.tokens, logProb: best.logProb, finished: finished[b].length > 0 };
  });
}

/** The encoded sources with each row replicated for its beams (encoder outputs, lengths, context C if any). */
function replicateSources(model: Seq2Seq, src: EncodedSources, parentOf: Int32Array): EncodedSources {
  const eng = model.engine, core = eng.core, pool = model.pool;
  const { He } = model.sizes;
  const rows = parentOf.length, Ts = src.steps;
  const outputIndex = new Int32Array(Ts * rows);
  for (let t = 0; t < Ts; t++) for (let r = 0; r < rows; r++) outputIndex[t * rows + r] = t * src.batch + parentOf[r];
  const indexPtr = pool.ints("replicateIndex", Ts * rows);
  eng.writeInt32(indexPtr, outputIndex);
  const output = pool.floats("beamEncoderOutput", Ts * rows * He);
  core.gatherRows(Ts * rows, He, src.encoder.output, indexPtr, output);
  let context = 0;
  if (src.context) {
    context = pool.floats("beamContext", rows * He);
    eng.writeInt32(indexPtr, parentOf);
    core.gatherRows(rows, He, src.context, indexPtr, context);
  }
  const lengthsArray = Int32Array.from(parentOf, (p) => src.lengthsArray[p]);
  const lengths = pool.ints("beamLengths", rows);
  eng.writeInt32(lengths, lengthsArray);
  return { ...src, batch: rows, lengths, lengthsArray, encoder: { ...src.encoder, output }, context };
}

export interface DecodeStreamOptions extends DecodeOptions {
  /** Stops the decoding: the iterator's next call then rejects with a CancelledError. */
  signal?: AbortSignal;
}

/**
 * decode() of one source, greedy or sampled, as an async iterator of the text each new token adds
 * (the same text decode gives, for a seed too). The event loop runs between tokens; the stream keeps
 * its own copy of the encoded source and of the decoder's state in wasm memory, so other decodings
 * may run on the model in between; `break` or `signal` stops it. Beam search cannot stream (its best
 * output is known only at the end): an UnsupportedError, as are bad options, thrown here.
 */
export function streamDecoding(model: Seq2Seq, source: string | readonly number[], options: DecodeStreamOptions = {}): AsyncGenerator<string, void, undefined> {
  const where = "Seq2Seq.decodeStream";
  model.checkAlive(where);
  const { signal, ...decoding } = optionsObject(options, `${where}: options`);
  const ids = model.sourceEmbedding.checkIds(model.tokens(source, model.sourceTokenizer, `${where}: source`), `${where}: source`);
  const o = checkDecodeOptions(model, decoding, ids.length, where);
  if (o.strategy === "beam") throw new UnsupportedError(`${where}: beam search cannot stream (its best output is known only at the end); use decode`);
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new ShapeError(`${where}: signal must be an AbortSignal`);
  return streamTokens(model, ids, o, new Random(options.seed), signal, where);
}

async function* streamTokens(model: Seq2Seq, ids: Int32Array, o: ReturnType<typeof checkDecodeOptions>, random: Random, signal: AbortSignal | undefined, where: string): AsyncGenerator<string, void, undefined> {
  const eng = model.engine, arena = eng.arena;
  const { H, L, He } = model.sizes;
  const shared = model.encode([ids], where);
  // The stream's own copies: the encoder outputs, lengths and context, and the decoder's state.
  const own: number[] = [];
  const copy = (from: number, floats: number) => {
    const to = arena.alloc(floats * 4);
    own.push(to);
    if (from) eng.copy(to, from, floats);
    return to;
  };
  try {
    const src: EncodedSources = {
      ...shared,
      lengths: copy(shared.lengths, 1),
      encoder: { ...shared.encoder, output: copy(shared.encoder.output, shared.steps * He) },
      context: shared.context ? copy(shared.context, He) : 0,
    };
    const states = { h: copy(shared.h0, L * H), c: shared.c0 ? copy(shared.c0, L * H) : 0 };
    const produced: number[] = [];
    let emitted = "", token = BOS;
    for (let t = 0; t < o.maxLength; t++) {
      if (signal?.aborted) throw new CancelledError(`${where}: cancelled after ${produced.length} token(s)`);
      model.checkAlive(where);
      token = chooseToken(step(model, src, Int32Array.of(token), states, o.strategy === "sample" ? o.temperature : 1), o, random);
      if (token === EOS) return;
      produced.push(token);
      const text = model.targetTokenizer.decode(produced);
      yield text.slice(emitted.length);
      emitted = text;
      await platform.yieldToEventLoop();
    }
  } finally {
    for (const ptr of own) arena.release(ptr);
  }
}
