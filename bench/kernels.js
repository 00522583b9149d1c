// Kernel speed mode of the case tables (test/cases/<family>.json): every row that carries a benchScale,
// its sizes multiplied by it, timed on one thread of the built package's engine (dist/, the shipped
// build): the median ms of each kernel the row drives, and GFLOP/s for products (2 × multiply-adds; the
// int8 products' integer multiply-adds count the same) or GB/s for memory-bound kernels (bytes each call
// must read and write at least). A row's operands are random; its seed and values matter only to the
// tests. No peer runs here: these are our kernels against themselves, build against build.
//
//   node bench/kernels.js [auto|plain|relaxed] [[family/]part of a row name]
//
// The second argument selects rows: a family's name alone (dense, int8, embedding, attention, losses,
// optimizers, conv, recurrent) selects that family's rows; `family/text` the rows of that family whose
// name contains `text`; other text the rows of every family whose name contains it.

import { readFileSync } from "node:fs";
import { CELLS } from "../dist/engine/cells.js"; // gate counts: the engine's table of cells
import { measureRounds } from "./timing.js";
import { randomUniform } from "./workloads.js";

const TIMING = { warmup: 2, minRounds: 5, maxRounds: 30, budgetMs: 400 };

/** The rows of test/cases/<family>.json. */
function caseTable(family) {
  return JSON.parse(readFileSync(new URL(`../test/cases/${family}.json`, import.meta.url), "utf8"));
}

/** The engine's memory for one row's operands: blocks of random or given values, and the layers timed,
 *  all released after the row. */
class Operands {
  constructor(engine) {
    this.engine = engine;
    this.blocks = [];
    this.layers = [];
    this.seed = 1;
  }

  /** A layer to dispose of after the row. */
  own(layer) {
    this.layers.push(layer);
    return layer;
  }

  bytes(n) {
    const ptr = this.engine.arena.alloc(n);
    this.blocks.push(ptr);
    return ptr;
  }

  /** n floats uniform in (−1, 1), or the given values. */
  floats(values) {
    const data = typeof values === "number" ? randomUniform(values, this.seed++) : values;
    const ptr = this.bytes(4 * data.length);
    this.engine.write(ptr, data);
    return ptr;
  }

  int32s(values) {
    const ptr = this.bytes(4 * values.length);
    this.engine.writeInt32(ptr, values);
    return ptr;
  }

  int8s(n) {
    const ptr = this.bytes(n);
    const bytes = new Int8Array(this.engine.memory.buffer, ptr, n);
    for (let i = 0; i < n; i++) bytes[i] = ((i * 73 + 11) % 255) - 127;
    return ptr;
  }

  release() {
    for (const layer of this.layers) layer.dispose();
    for (const ptr of this.blocks.reverse()) this.engine.arena.release(ptr);
    this.blocks = [];
    this.layers = [];
  }
}

/** A timed kernel: its label, the body, and the FLOPs or bytes one call does (for the rate). */
const kernel = (name, run, work) => ({ name, run, ...work });

// ---- families ---------------------------------------------------------------------------------
// Each: scaled(row, k) the row at benchScale k, and kernels(row, engine, operands, api) what to time.

const recurrent = {
  /** inputSize, hiddenSize, projSize, T and lengths times k. */
  scaled(row, k) {
    const o = row.options;
    return {
      ...row,
      options: { ...o, inputSize: o.inputSize * k, hiddenSize: o.hiddenSize * k, ...(o.projSize ? { projSize: o.projSize * k } : {}) },
      T: row.T * k,
      lengths: row.lengths?.map((n) => n * k),
    };
  },
  /** Forward, and (for layers that train) backward: multiply-adds per layer and direction
   *  G·H·(I_l + P) (+ P·H for a projection) per valid step; backward counted as 2× forward. */
  kernels(row, engine, operands, api) {
    const o = row.options, { T, B } = row;
    const H = o.hiddenSize, P = o.projSize || H, D = o.bidirectional ? 2 : 1, LD = (o.numLayers ?? 1) * D;
    const steps = row.lengths ? row.lengths.reduce((a, b) => a + b, 0) : T * B;
    let multiplyAdds = 0;
    for (let l = 0; l < (o.numLayers ?? 1); l++) multiplyAdds += D * steps * (CELLS[row.cell].gates * H * ((l === 0 ? o.inputSize : D * P) + P) + (o.projSize ? P * H : 0));
    const layer = operands.own(new { lstm: api.LSTM, gru: api.GRU, rnn: api.RNN }[row.cell]({ ...o, seed: row.seed }));
    const sequence = (features, seed) => {
      const shape = row.unbatched ? [T, features] : o.batchFirst ? [B, T, features] : [T, B, features];
      return api.tensor(randomUniform(shape.reduce((a, b) => a * b, 1), seed), shape);
    };
    const state = (features, seed) => {
      const shape = row.unbatched ? [LD, features] : [LD, B, features];
      return api.tensor(randomUniform(shape.reduce((a, b) => a * b, 1), seed, -0.5, 0.5), shape);
    };
    const x = sequence(o.inputSize, 1), gradOutput = sequence(D * P, 4);
    const options = { lengths: row.lengths, ...(row.states ? { h0: state(P, 2), ...(row.cell === "lstm" ? { c0: state(H, 3) } : {}) } : {}) };
    const kernels = [kernel("forward", () => layer.forward(x, options), { flops: 2 * multiplyAdds })];
    // Layers with a clip on their gates (an ONNX cell option) run forward only.
    if (!o.cellOptions?.clip) kernels.push(kernel("backward", () => layer.backward(gradOutput), { flops: 4 * multiplyAdds }));
    return kernels;
  },
};

const dense = {
  scaled: (row, k) => ({ ...row, M: row.M * k, N: row.N * k, K: row.K * k }),
  /** sgemm (A·B), sgemmPacked (A·Wᵀ, W packed once), the GEMVs at batch 1, a dense layer's forward and backward. */
  kernels({ M, N, K }, engine, operands) {
    const core = engine.core, work = operands.bytes(core.gemmWorkspaceBytes());
    const A = operands.floats(M * K), B = operands.floats(K * N), C = operands.floats(M * N), b = operands.floats(N);
    const packed = operands.floats(core.packedSize(K, N));
    core.packB(K, N, B, 1, K, packed);
    const flops = 2 * M * N * K;
    const kernels = [
      kernel("sgemm", () => core.sgemm(M, N, K, A, K, 1, B, N, 1, C, N, 0, work), { flops }),
      kernel("sgemmPacked", () => core.sgemmPacked(M, N, K, A, K, 1, packed, C, N, 0, work), { flops }),
    ];
    if (M === 1) {
      const panels = operands.floats(core.rowPanelsSize(N, K));
      core.packRows(N, K, B, K, 1, panels);
      kernels.push(kernel("gemvPanels", () => core.gemvPanels(N, K, panels, A, C, 0), { flops }));
      kernels.push(kernel("gemvRows", () => core.gemvRows(N, K, B, A, C, 0), { flops }));
    }
    const gradY = operands.floats(M * N), gradW = operands.floats(N * K), gradB = operands.floats(N), gradX = operands.floats(M * K);
    kernels.push(kernel("denseForward", () => core.denseForward(M, K, N, A, B, b, C, work), { flops }));
    kernels.push(kernel("denseBackward", () => core.denseBackward(M, K, N, A, B, gradY, gradW, gradB, gradX, work), { flops: 2 * flops }));
    return kernels;
  },
};

const int8 = {
  scaled: (row, k) => ({ ...row, R: row.R * k, N: row.N * k, K: row.K * k }),
  /** int8Product with the inner product the engine picks, and the quantized dense layer's forward. */
  kernels({ R, N, K }, engine, operands) {
    const core = engine.core;
    const weights = operands.int8s(N * K), scales = operands.floats(N), packed = operands.bytes(core.int8PackedBytes(N, K));
    core.packInt8(N, K, weights, K, 1, scales, packed);
    const x = operands.floats(R * K), y = operands.floats(R * N), b = operands.floats(N), work = operands.bytes(core.int8WorkspaceBytes(K));
    const dot = engine.readyIntegerDot();
    const flops = 2 * R * N * K;
    return [
      kernel(`int8Product (${dot})`, () => core.int8Product(R, N, K, x, K, packed, y, N, 0, work), { flops }),
      kernel(`denseForwardInt8 (${dot})`, () => core.denseForwardInt8(R, K, N, x, packed, b, y, work), { flops }),
    ];
  },
};

const embedding = {
  scaled: (row, k) => ({ ...row, V: row.V * k, E: row.E * k, N: row.N * k }),
  /** Lookup (reads and writes N rows) and its backward (reads ∂y, reads and writes N table rows). */
  kernels({ V, E, N, paddingIdx }, engine, operands) {
    const core = engine.core;
    const table = operands.floats(V * E), grad = operands.floats(V * E), gradY = operands.floats(N * E), y = operands.floats(N * E);
    const ids = operands.int32s(Int32Array.from({ length: N }, (_, n) => (n * 7919) % V));
    const rowBytes = 4 * N * E;
    return [
      kernel("embeddingForward", () => core.embeddingForward(N, E, table, ids, y), { bytes: 2 * rowBytes }),
      kernel("embeddingBackward", () => core.embeddingBackward(N, E, ids, gradY, grad, paddingIdx ?? -1), { bytes: 3 * rowBytes }),
    ];
  },
};

const attention = {
  /** Sizes, steps and lengths times k (the batch as it is). */
  scaled: (row, k) => ({
    ...row,
    querySize: row.querySize * k, valueSize: row.valueSize * k, ...(row.attentionSize ? { attentionSize: row.attentionSize * k } : {}),
    Td: row.Td * k, Ts: row.Ts * k, lengths: row.lengths?.map((n) => n * k),
  }),
  /** The Attention layer's resident forward, and forward then backward (Seq2Seq's calls; backward
   *  needs its forward). Multiply-adds: the key
   *  projection (general: Ts·B·He·Hd; additive: both, (Td·Hd + Ts·He)·B·A, and B·Td·Ts·A for v·tanh),
   *  the scores (B·Td·Ts·Hd), the context (B·Td·Ts·He) and the combining layer (Td·B·(He + Hd)·Hd);
   *  a backward counted as 2× a forward. */
  kernels(row, engine, operands, api) {
    const { Td, Ts, B, querySize: Hd, valueSize: He, kind } = row;
    const layer = operands.own(new api.Attention({ kind, querySize: Hd, valueSize: He, attentionSize: row.attentionSize, seed: row.seed }));
    const A = layer.attentionSize;
    const dec = operands.floats(Td * B * Hd), enc = operands.floats(Ts * B * He), dOut = operands.floats(Td * B * Hd);
    const lengths = row.lengths ? operands.int32s(row.lengths) : 0;
    const scores = kind === "additive" ? (Td * Hd + Ts * He) * B * A + B * Td * Ts * A : (kind === "general" ? Ts * B * He * Hd : 0) + B * Td * Ts * Hd;
    const multiplyAdds = scores + B * Td * Ts * He + Td * B * (He + Hd) * Hd;
    return [
      kernel("forwardResident", () => layer.forwardResident(dec, enc, Td, Ts, B, lengths), { flops: 2 * multiplyAdds }),
      kernel("forwardResident + backwardResident", () => {
        layer.forwardResident(dec, enc, Td, Ts, B, lengths);
        layer.backwardResident(dOut);
      }, { flops: 6 * multiplyAdds }),
    ];
  },
};

const losses = {
  scaled: (row, k) => ({ ...row, N: row.N * k, V: row.V * k }),
  /** Fused cross-entropy (reads the logits, writes the gradient), softmax and log-softmax. */
  kernels(row, engine, operands) {
    const { N, V } = row, core = engine.core;
    const logits = operands.floats(N * V), out = operands.floats(N * V), bytes = 8 * N * V;
    if (row.loss === "crossEntropy") {
      const targets = operands.int32s(Int32Array.from({ length: N }, (_, n) => (n * 31) % V));
      return [kernel("softmaxCrossEntropy", () => core.softmaxCrossEntropy(N, V, logits, targets, -100, 1, out, 0), { bytes })];
    }
    return [
      kernel("softmax", () => core.softmax(N, V, logits, row.temperature, out), { bytes }),
      kernel("logSoftmax", () => core.logSoftmax(N, V, logits, row.temperature, out), { bytes }),
    ];
  },
};

const optimizers = {
  scaled: (row, k) => ({ ...row, floats: row.floats * k }),
  /** The step kernels over n floats (p, g, and the state each reads and writes), or the clipping helpers. */
  kernels(row, engine, operands) {
    const n = row.floats, core = engine.core, f = 4 * n;
    const p = operands.floats(n), g = operands.floats(n), a = operands.floats(n), b = operands.floats(n);
    if (row.step === "clipping") {
      return [
        kernel("sumOfSquares", () => core.sumOfSquares(n, g), { bytes: f }),
        kernel("countNonFinite", () => core.countNonFinite(n, g), { bytes: f }),
        kernel("scaleInPlace", () => core.scaleInPlace(n, p, 1), { bytes: 2 * f }),
        kernel("clampInPlace", () => core.clampInPlace(n, p, 0.5), { bytes: 2 * f }),
        kernel("scaleAdd", () => core.scaleAdd(n, a, g, 0.5, 1), { bytes: 3 * f }),
      ];
    }
    const o = row.options;
    if (row.step === "sgd") {
      const momentum = o.momentum ?? 0;
      return [kernel("sgdStep", () => core.sgdStep(n, p, g, momentum ? a : 0, o.lr, momentum, o.dampening ?? 0, o.weightDecay ?? 0, o.nesterov ? 1 : 0, 0), { bytes: (momentum ? 5 : 3) * f })];
    }
    const [beta1, beta2] = o.betas ?? [0.9, 0.999];
    const decoupled = row.step === "adamw" ? 1 : 0;
    return [kernel(`${row.step}Step`, () => core.adamStep(n, p, g, a, b, o.lr ?? 1e-3, beta1, beta2, o.eps ?? 1e-8, o.weightDecay ?? (decoupled ? 0.01 : 0), decoupled, 0.5, 0.5), { bytes: 7 * f })];
  },
};

const ACTIVATIONS = { none: 0, relu: 1, sigmoid: 2, tanh: 3, prelu: 4, leakyRelu: 5 };
const convOutputSize = (n, k, s, d, before, after) => Math.floor((n + before + after - d * (k - 1) - 1) / s) + 1;
const convTransposeOutputSize = (n, k, s, d, before, after, outputPadding) => (n - 1) * s - before - after + d * (k - 1) + outputPadding + 1;

const conv = {
  /** The input's width (and height, when it has one) times k; an epilogue's positions times k. */
  scaled: (row, k) => (row.kind === "epilogue" ? { ...row, positions: row.positions * k } : { ...row, input: [row.input[0] > 1 ? row.input[0] * k : 1, row.input[1] * k] }),
  /** A convolution as the ONNX executor runs it (per group: im2row, sgemmPacked on W packed once,
   *  rowsToChannels), a transposed one (per group: sgemm, row2im), a depthwise one, or the epilogues. */
  kernels(row, engine, operands) {
    const core = engine.core, act = ACTIVATIONS[row.act ?? "none"];
    const geometry = (C, [H, W], [OH, OW]) => operands.int32s([C, H, W, ...row.kernel, ...row.strides, ...row.dilations, row.pads[0], row.pads[1], OH, OW]);
    const slopes = operands.floats(row.kind === "epilogue" ? row.channels : Math.max(...row.channels)); // prelu's, per channel
    if (row.kind === "epilogue") {
      const { positions: P, channels: N, ldSrc } = row;
      const src = operands.floats(P * ldSrc), bias = row.bias === false ? 0 : operands.floats(N), dst = operands.floats(N * P);
      return [
        kernel("rowsToChannels", () => core.rowsToChannels(P, N, src, ldSrc, bias, act, slopes, 0.1, dst), { bytes: 8 * P * N }),
        kernel("channelsEpilogue", () => core.channelsEpilogue(N, P, dst, bias, act, slopes, 0.1), { bytes: 8 * P * N }),
      ];
    }
    const [Cin, Cout] = row.channels, G = row.groups, Cg = Cin / G, Ng = Cout / G;
    const [KH, KW] = row.kernel, [SH, SW] = row.strides, [DH, DW] = row.dilations, [PT, PL, PB, PR] = row.pads;
    const work = operands.bytes(core.gemmWorkspaceBytes());
    if (row.kind === "convTranspose") {
      const [IH, IW] = row.input, Pin = IH * IW, N = Ng * KH * KW;
      const H = convTransposeOutputSize(IH, KH, SH, DH, PT, PB, row.outputPadding[0]), W = convTransposeOutputSize(IW, KW, SW, DW, PL, PR, row.outputPadding[1]);
      const geo = geometry(Ng, [H, W], [IH, IW]);
      const x = operands.floats(Cin * Pin), w = operands.floats(Cin * N), cols = operands.floats(Pin * N), y = operands.floats(Cout * H * W);
      return [kernel("sgemm + row2im", () => {
        for (let g = 0; g < G; g++) {
          core.sgemm(Pin, N, Cg, x + 4 * g * Cg * Pin, 1, Pin, w + 4 * g * Cg * N, N, 1, cols, N, 0, work);
          core.row2im(geo, cols, y + 4 * g * Ng * H * W);
        }
      }, { flops: 2 * Pin * N * Cin })];
    }
    const [H, W] = row.input;
    const OH = convOutputSize(H, KH, SH, DH, PT, PB), OW = convOutputSize(W, KW, SW, DW, PL, PR), P = OH * OW;
    if (row.kind === "depthwise") {
      const geo = geometry(0, [H, W], [OH, OW]);
      const x = operands.floats(Cin * H * W), w = operands.floats(Cin * KH * KW), b = row.bias === false ? 0 : operands.floats(Cin), y = operands.floats(Cin * P);
      return [kernel("depthwiseConv", () => core.depthwiseConv(geo, Cin, x, w, b, act, slopes, 0.1, y), { flops: 2 * Cin * P * KH * KW })];
    }
    const K = Cg * KH * KW, geo = geometry(Cg, [H, W], [OH, OW]);
    const x = operands.floats(Cin * H * W), w = operands.floats(Cout * K), b = operands.floats(Cout), y = operands.floats(Cout * P);
    const rows = operands.floats(P * K), out = operands.floats(P * Ng), packed = Array.from({ length: G }, () => operands.floats(core.packedSize(K, Ng)));
    packed.forEach((p, g) => core.packB(K, Ng, w + 4 * g * Ng * K, 1, K, p));
    return [kernel("im2row + sgemmPacked + rowsToChannels", () => {
      for (let g = 0; g < G; g++) {
        core.im2row(geo, x + 4 * g * Cg * H * W, rows);
        core.sgemmPacked(P, Ng, K, rows, K, 1, packed[g], out, Ng, 0, work);
        core.rowsToChannels(P, Ng, out, Ng, b + 4 * g * Ng, act, slopes, 0.1, y + 4 * g * Ng * P);
      }
    }, { flops: 2 * P * K * Cout })];
  },
};

const FAMILIES = { recurrent, dense, int8, embedding, attention, losses, optimizers, conv };

/** The rows the selection names (see the header), at their benchScale. */
function selectedRows(selection) {
  const slash = selection.indexOf("/");
  const [family, text] = slash >= 0 ? [selection.slice(0, slash), selection.slice(slash + 1)] : selection in FAMILIES ? [selection, ""] : [null, selection];
  if (family !== null && !(family in FAMILIES)) throw new Error(`bench/kernels.js: no family ${JSON.stringify(family)}; the families are ${Object.keys(FAMILIES).join(", ")}`);
  return Object.keys(FAMILIES)
    .filter((name) => family === null || name === family)
    .flatMap((name) => caseTable(name).filter((row) => row.benchScale !== undefined && row.name.includes(text)).map((row) => ({ family: name, row: FAMILIES[name].scaled(row, row.benchScale) })));
}

const format = (value, digits) => (value === undefined ? "—" : value.toFixed(digits));

async function main() {
  const simd = process.argv[2] ?? "auto";
  const rows = selectedRows(process.argv[3] ?? "");
  const api = await import("../dist/index.js");
  const { initEngine } = await import("../dist/engine/init.js");
  const engine = await initEngine({ simd, threads: 1 });
  console.log(`kernels of the case tables, ${engine.simd} SIMD build, one thread (median ms; GFLOP/s = 2 × multiply-adds / time; GB/s = bytes read and written / time)`);
  console.log(`${"family".padEnd(11)} ${"row".padEnd(48)} ${"scale".padStart(5)}  ${"kernel".padEnd(40)} ${"ms".padStart(9)} ${"rate".padStart(8)}`);
  for (const { family, row } of rows) {
    const operands = new Operands(engine);
    try {
      const kernels = FAMILIES[family].kernels(row, engine, operands, api);
      const times = await measureRounds(Object.fromEntries(kernels.map((k) => [k.name, k.run])), TIMING);
      for (const k of kernels) {
        const ms = times[k.name].ms;
        const rate = k.flops !== undefined ? `${format(k.flops / ms / 1e6, 2)} GFLOP/s` : `${format(k.bytes / ms / 1e6, 2)} GB/s`;
        console.log(`${family.padEnd(11)} ${row.name.padEnd(48)} ${String(row.benchScale).padStart(5)}  ${k.name.padEnd(40)} ${format(ms, 3).padStart(9)} ${rate}`);
      }
    } finally {
      operands.release();
    }
  }
}

await main();
