// Panel (e): Silero VAD v6 as vad-web ships it, frame by frame with the state carried, on wasm-rnn's
// ONNX session, the speech probability drawn over the waveform as frames come: the bundled speech
// clip (each frame also run on onnxruntime-web, its wasm backend on one thread, for the time per frame
// side by side), or the microphone (16 kHz, 512-sample frames, wasm-rnn only). The numbers the browser
// tests read are on the table's rows and the chart (data-* attributes).

import { onnx } from "wasm-rnn";
import { element, fetchBytes, showError } from "./dom.js";

const MODEL = "/vad-web/silero_vad_v6.onnx";
const CLIP = "/audio/speech-16k.wav";
const ORT = "/ort/ort.wasm.min.mjs";
const FRAME = 512, CONTEXT = 64, RATE = 16000;

/** onnxruntime-web's module, the parts the panel uses. */
interface OnnxRuntimeWeb {
  env: { wasm: { wasmPaths: string; numThreads: number } };
  Tensor: new (type: string, data: unknown, dims: number[]) => unknown;
  InferenceSession: { create(bytes: Uint8Array, options: object): Promise<{ run(feeds: object): Promise<Record<string, { data: ArrayLike<number> }>> }> };
}

/** One engine's Silero stream: each call takes 512 new samples and returns the speech probability. */
type Stream = (frame: Float32Array) => Promise<number>;

function stream<T>(Tensor: new (type: "float32" | "int64", data: Float32Array | BigInt64Array, dims: number[]) => T, run: (feeds: Record<string, T>) => Promise<Record<string, { data: unknown }>>): Stream {
  let state = new Tensor("float32", new Float32Array(256), [2, 1, 128]);
  const sr = new Tensor("int64", BigInt64Array.from([16000n]), []);
  let tail = new Float32Array(CONTEXT);
  return async (frame) => {
    const input = new Float32Array(CONTEXT + FRAME);
    input.set(tail);
    input.set(frame, CONTEXT);
    tail = frame.slice(FRAME - CONTEXT);
    const out = await run({ input: new Tensor("float32", input, [1, CONTEXT + FRAME]), state, sr });
    state = out.stateN as unknown as T;
    return (out.output.data as Float32Array)[0];
  };
}

/** The samples of a 16-bit PCM mono WAV file, scaled to −1…1. */
async function readWav(url: string): Promise<Float32Array> {
  const bytes = await fetchBytes(url);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 12; at + 8 <= view.byteLength; ) {
    const id = String.fromCharCode(...bytes.subarray(at, at + 4)), size = view.getUint32(at + 4, true);
    if (id === "data") return Float32Array.from({ length: size / 2 }, (_, i) => view.getInt16(at + 8 + 2 * i, true) / 32768);
    at += 8 + size + (size & 1);
  }
  throw new Error(`${url}: no data chunk`);
}

/** The chart: the waveform's peak per frame in grey, the speech probability per frame as a line. */
class Chart {
  private readonly context: CanvasRenderingContext2D;
  private probabilities: number[] = [];
  private peaks: number[] = [];

  constructor(private readonly canvas: HTMLCanvasElement, private frames: number) {
    this.context = canvas.getContext("2d")!;
  }

  reset(frames: number): void {
    this.frames = frames;
    this.probabilities = [];
    this.peaks = [];
  }

  add(frame: Float32Array, probability: number): void {
    this.peaks.push(frame.reduce((m, v) => Math.max(m, Math.abs(v)), 0));
    this.probabilities.push(probability);
    if (this.probabilities.length > this.frames) {
      this.peaks.shift();
      this.probabilities.shift();
    }
  }

  draw(): void {
    const { context: c, canvas } = this;
    const w = canvas.width, h = canvas.height, dx = w / this.frames;
    c.clearRect(0, 0, w, h);
    c.fillStyle = "#c9d1dc";
    this.peaks.forEach((p, i) => c.fillRect(i * dx, h / 2 - (p * h) / 2, Math.max(1, dx - 0.5), p * h));
    c.strokeStyle = "#b0b7c3";
    c.setLineDash([4, 4]);
    c.beginPath();
    c.moveTo(0, h * 0.5);
    c.lineTo(w, h * 0.5);
    c.stroke();
    c.setLineDash([]);
    c.strokeStyle = "#2060c0";
    c.lineWidth = 2;
    c.beginPath();
    this.probabilities.forEach((p, i) => (i ? c.lineTo((i + 0.5) * dx, h - p * h) : c.moveTo(0.5 * dx, h - p * h)));
    c.stroke();
    this.canvas.dataset.frames = String(this.probabilities.length);
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[s.length >> 1] : NaN;
}

export function setupVadPanel(): void {
  const runButton = element<HTMLButtonElement>("vad-run"), micButton = element<HTMLButtonElement>("vad-mic"), stopButton = element<HTMLButtonElement>("vad-stop");
  const canvas = element<HTMLCanvasElement>("vad-chart"), rows = element("vad-output").querySelector("tbody")!;
  const status = element("vad-status"), errorBox = element("vad-error");
  const chart = new Chart(canvas, 455);
  let model: Uint8Array | null = null;
  let stop: (() => void) | null = null;

  const busy = (on: boolean) => {
    runButton.disabled = micButton.disabled = on;
    stopButton.disabled = !on;
  };
  const row = (engine: string, us: number, frames: number) => {
    const tr = document.createElement("tr");
    tr.dataset.engine = engine;
    tr.dataset.us = us.toFixed(1);
    for (const text of [engine, `${us.toFixed(0)} µs`, String(frames)]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    rows.append(tr);
  };

  runButton.addEventListener("click", async () => {
    busy(true);
    showError(errorBox, null);
    rows.replaceChildren();
    let stopped = false;
    stop = () => (stopped = true);
    try {
      status.textContent = "Loading Silero VAD v6, onnxruntime-web and the clip…";
      model ??= await fetchBytes(MODEL);
      const ort = (await import(/* an absolute URL the demo server maps to onnxruntime-web */ ORT as string)) as OnnxRuntimeWeb;
      ort.env.wasm.wasmPaths = "/ort/";
      ort.env.wasm.numThreads = 1;
      const [samples, ours, theirs] = await Promise.all([readWav(CLIP), onnx.InferenceSession.create(model), ort.InferenceSession.create(model, { executionProviders: ["wasm"] })]);
      const wasmRnn = stream(onnx.Tensor, (feeds) => ours.run(feeds));
      const web = stream(ort.Tensor as never, (feeds) => theirs.run(feeds));
      const frames = Math.floor(samples.length / FRAME);
      chart.reset(frames);
      const times = { ours: [] as number[], theirs: [] as number[] };
      let speech = 0, worst = 0;
      for (let k = 0; k < frames && !stopped; k++) {
        const frame = samples.subarray(k * FRAME, (k + 1) * FRAME);
        let t0 = performance.now();
        const p = await wasmRnn(frame);
        times.ours.push((performance.now() - t0) * 1000);
        t0 = performance.now();
        const q = await web(frame);
        times.theirs.push((performance.now() - t0) * 1000);
        worst = Math.max(worst, Math.abs(p - q));
        if (p > 0.5) speech++;
        chart.add(frame, p);
        if (k % 16 === 15 || k === frames - 1) {
          chart.draw();
          status.textContent = `Frame ${k + 1} of ${frames}…`;
          await new Promise((resolve) => setTimeout(resolve, 0));
        }
      }
      await ours.release();
      // The first frames run before the engines' code has tiered up: the medians are of the rest.
      const steady = (t: number[]) => median(t.slice(Math.min(50, t.length >> 1)));
      row("wasm-rnn", steady(times.ours), times.ours.length);
      row("onnxruntime-web (wasm, 1 thread)", steady(times.theirs), times.theirs.length);
      Object.assign(canvas.dataset, { done: "true", speech: String(speech), maxDifference: worst.toExponential(2) });
      status.textContent = `${times.ours.length} frames, ${speech} of them speech (p > 0.5); wasm-rnn ${(steady(times.theirs) / steady(times.ours)).toFixed(1)}× faster per frame than onnxruntime-web here; the two probabilities differ by at most ${worst.toExponential(1)}.`;
    } catch (error) {
      status.textContent = "";
      showError(errorBox, error);
    } finally {
      busy(false);
      stop = null;
    }
  });

  micButton.addEventListener("click", async () => {
    busy(true);
    showError(errorBox, null);
    try {
      model ??= await fetchBytes(MODEL);
      const session = await onnx.InferenceSession.create(model);
      const detect = stream(onnx.Tensor, (feeds) => session.run(feeds));
      const media = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true } });
      const audio = new AudioContext({ sampleRate: RATE });
      const source = audio.createMediaStreamSource(media);
      // A ScriptProcessor hands 4096-sample blocks to the page; frames of 512 go to Silero in order.
      const processor = audio.createScriptProcessor(4096, 1, 1);
      const pending: Float32Array[] = [];
      let buffered = new Float32Array(0), running = false, frames = 0;
      const times: number[] = [];
      chart.reset(300);
      processor.onaudioprocess = async (event) => {
        const block = event.inputBuffer.getChannelData(0);
        const joined = new Float32Array(buffered.length + block.length);
        joined.set(buffered);
        joined.set(block, buffered.length);
        let at = 0;
        for (; at + FRAME <= joined.length; at += FRAME) pending.push(joined.slice(at, at + FRAME));
        buffered = joined.slice(at);
        if (running) return;
        running = true;
        while (pending.length) {
          const frame = pending.shift()!;
          const t0 = performance.now();
          const p = await detect(frame);
          times.push((performance.now() - t0) * 1000);
          chart.add(frame, p);
          frames++;
        }
        chart.draw();
        status.textContent = `Listening: ${frames} frames, ${median(times.slice(-100)).toFixed(0)} µs per frame (median of the last 100).`;
        canvas.dataset.microphoneFrames = String(frames);
        running = false;
      };
      source.connect(processor);
      processor.connect(audio.destination);
      stop = () => {
        processor.disconnect();
        source.disconnect();
        for (const track of media.getTracks()) track.stop();
        void audio.close();
        void session.release();
        busy(false);
        stop = null;
      };
    } catch (error) {
      showError(errorBox, error);
      busy(false);
    }
  });

  stopButton.addEventListener("click", () => stop?.());
}
