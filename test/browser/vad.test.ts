// Silero VAD in Chromium: through the real client — @ricky0123/vad-web's NonRealTimeVAD (onnxruntime-web
// as a page loads it, vad-web's bundle reading it) finds the same speech segments on onnxruntime-web
// and on wasm-rnn after useWasmRnn(ort) (web/vad-web.html), every frame on wasm-rnn by the backend's
// counters — and the demo's voice-activity panel: the speech clip frame by frame on wasm-rnn and on
// onnxruntime-web (probabilities within 1e-4, the time per frame of each, a screenshot), and the
// microphone, Chromium's fake one playing the test speech: vad-web's MicVAD (its AudioWorklet, Silero
// v5) on wasm-rnn/ort, each frame's probability as onnxruntime-web's own backend computes it from the
// same model inputs (web/vad-mic.html), and the panel's.

import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBrowser, type BrowserSession } from "../helpers/browser.js";
import { SENTENCES, SPEECH } from "../helpers/speech.js";

const SCREENSHOTS = fileURLToPath(new URL("../../docs/screenshots/", import.meta.url));

let browser: BrowserSession;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // The fake microphone plays the test speech (and the page may use it without asking).
  browser = await startBrowser({ args: ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-audio-capture=${SPEECH}`] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

interface Segment {
  start: number;
  end: number;
}

describe("Silero VAD in Chromium", () => {
  it("vad-web's NonRealTimeVAD gives the same segments on wasm-rnn/ort as on onnxruntime-web, every frame on wasm-rnn", async () => {
    const page = await browser.open("/vad-web.html");
    await page.waitForFunction(() => "result" in window, null, { timeout: 60_000 });
    const result = await page.evaluate(() => (window as unknown as { result: Record<string, unknown> }).result);
    expect(result.error).toBeUndefined();
    const { plain, ours, sessions, runs, frames, fallbacks } = result as { plain: { segments: Segment[]; ms: number }; ours: { segments: Segment[]; ms: number }; sessions: number; runs: number; frames: number; fallbacks: string[] };
    expect(ours.segments).toEqual(plain.segments);
    for (const [start, end] of SENTENCES) {
      expect(ours.segments.some((s) => s.start <= start * 1000 + 200 && s.end >= end * 1000 - 200), `sentence at ${start}–${end} s`).toBe(true);
    }
    expect(sessions).toBe(1);
    expect(runs).toBe(frames);
    expect(fallbacks).toEqual([]);
    expect(browser.problems).toEqual([]);
    console.log(`Chromium, vad-web NonRealTimeVAD over ${frames} frames: onnxruntime-web ${plain.ms.toFixed(0)} ms, wasm-rnn/ort ${ours.ms.toFixed(0)} ms; segments ${ours.segments.map((s) => `${s.start}–${s.end}`).join(", ")} ms`);
  }, 90_000);

  it("the demo's panel runs the clip on wasm-rnn and onnxruntime-web, frame by frame, and draws it", async () => {
    const page = await browser.open("/");
    await page.locator("body[data-ready=true]").waitFor({ timeout: 60_000 });
    await page.locator("#vad-run").click();
    await page.locator("#vad-chart[data-done=true]").waitFor({ timeout: 60_000 });
    const chart = page.locator("#vad-chart");
    expect(Number(await chart.getAttribute("data-frames"))).toBe(455);
    expect(Number(await chart.getAttribute("data-max-difference"))).toBeLessThan(1e-4);
    const speech = Number(await chart.getAttribute("data-speech"));
    expect(speech).toBeGreaterThan(200);
    expect(speech).toBeLessThan(300);
    const us = async (engine: string) => Number(await page.locator(`#vad-output tr[data-engine^="${engine}"]`).getAttribute("data-us"));
    const [ours, theirs] = [await us("wasm-rnn"), await us("onnxruntime-web")];
    expect(ours).toBeGreaterThan(0);
    expect(theirs).toBeGreaterThan(0);
    await page.locator("#vad").screenshot({ path: `${SCREENSHOTS}vad.png` });
    console.log(`Chromium, Silero v6 per 32 ms frame: wasm-rnn ${ours.toFixed(0)} µs, onnxruntime-web ${theirs.toFixed(0)} µs (${(theirs / ours).toFixed(2)}×); ${await page.locator("#vad-status").textContent()}`);
    expect(browser.problems).toEqual([]);
  }, 90_000);

  it("vad-web's MicVAD listens to the microphone on wasm-rnn/ort: every frame on wasm-rnn, as onnxruntime-web's own backend computes it, speech found", async () => {
    const page = await browser.open("/vad-mic.html");
    await page.waitForFunction(() => "result" in window, null, { timeout: 60_000 });
    const result = await page.evaluate(() => (window as unknown as { result: Record<string, unknown> }).result);
    expect(result.error).toBeUndefined();
    const { frames, inputs, samplesPerInput, events, difference, loudest, speechFrames, sessions, runs, fallbacks, backendRunsAfter } = result as {
      frames: number; inputs: number; samplesPerInput: number; events: { event: string; frame: number }[]; difference: number; loudest: number; speechFrames: number;
      sessions: number; runs: number; fallbacks: string[]; backendRunsAfter: number;
    };
    expect(frames).toBe(400);
    expect(inputs).toBe(400);
    expect(samplesPerInput).toBe(64 + 512); // vad-web's context, then the frame
    expect(loudest).toBeGreaterThan(0.05); // the fake microphone played the speech, not silence
    expect(sessions).toBe(1);
    expect(runs).toBeGreaterThanOrEqual(frames); // every frame MicVAD processed ran on wasm-rnn…
    expect(fallbacks).toEqual([]);
    expect(backendRunsAfter).toBe(runs); // …and the reference on onnxruntime-web's own backend
    expect(difference).toBeLessThan(1e-4);
    expect(speechFrames).toBeGreaterThan(40);
    expect(events.some((e) => e.event === "start")).toBe(true);
    expect(browser.problems).toEqual([]);
    console.log(`Chromium, vad-web MicVAD (fake microphone) on wasm-rnn/ort: ${frames} frames, ${speechFrames} with p > 0.5, events ${events.map((e) => `${e.event}@${e.frame}`).join(" ")}; max |Δp| from onnxruntime-web ${difference.toExponential(1)}`);
  }, 90_000);

  it("the panel listens to the microphone (Chromium's fake one, playing the test speech)", async () => {
    const page = await browser.open("/");
    await page.locator("body[data-ready=true]").waitFor({ timeout: 60_000 });
    await page.locator("#vad-mic").click();
    await page.waitForFunction(() => Number(document.getElementById("vad-chart")!.dataset.microphoneFrames ?? 0) >= 60, null, { timeout: 30_000 });
    await expect(page.locator("#vad-status").textContent()).resolves.toMatch(/^Listening: \d+ frames, \d+ µs per frame/);
    await page.locator("#vad-stop").click();
    await expect(page.locator("#vad-run").isEnabled()).resolves.toBe(true);
    expect(browser.problems).toEqual([]);
  }, 60_000);
});
