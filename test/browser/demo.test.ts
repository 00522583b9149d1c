// The demo site (`npm run demo`) in real Chromium: every panel works — click, wait, assert on what the
// page shows — a screenshot of each panel goes to docs/screenshots/, a bad model file gets a visible,
// readable error and the page goes on working, and no page logs a console error.

import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBrowser, type BrowserSession } from "../helpers/browser.js";

const SCREENSHOTS = fileURLToPath(new URL("../../docs/screenshots/", import.meta.url));

let browser: BrowserSession;
let page: Page;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await startBrowser();
  page = await browser.open("/");
  await page.locator("body[data-ready=true]").waitFor({ timeout: 60_000 });
}, 90_000);

afterAll(async () => {
  await browser?.close();
});

/** Waits until the training panel reports step n or later. */
const reachedStep = (n: number) => page.waitForFunction((step) => Number(document.getElementById("train-status")!.dataset.step) >= step, n, { timeout: 60_000 });

const shoot = (panel: string) => page.locator(`#${panel}`).screenshot({ path: `${SCREENSHOTS}${panel}.png` });

describe("demo site", () => {
  it("starts the engine with shared memory on the isolated page", async () => {
    await expect(page.locator("#engine").getAttribute("data-shared")).resolves.toBe("true");
    await expect(page.locator("#engine").textContent()).resolves.toMatch(/^Engine ready in \d+ ms: (relaxed|plain) SIMD, shared memory/);
  });

  it("(a) streams text from the pretrained Austen model with the chosen settings", async () => {
    await expect(page.locator("#generate-model").textContent()).resolves.toMatch(/Jane Austen model, float32 weights \(1\.43 MB\): LSTM with 256 hidden units, 357,013 parameters/);
    await page.fill("#generate-prime", "It is a truth universally acknowledged");
    await page.fill("#generate-length", "300");
    // Count the output's updates: streamed pieces arrive one by one before the whole text.
    await page.evaluate(() => {
      const output = document.getElementById("generate-output")!;
      new MutationObserver((changes) => (output.dataset.updates = String(Number(output.dataset.updates ?? 0) + changes.length))).observe(output, { childList: true, characterData: true, subtree: true });
    });
    await page.locator("#generate-run").click();
    await page.locator("#generate-output[data-done=true]").waitFor({ timeout: 30_000 });
    expect(Number(await page.locator("#generate-output").getAttribute("data-updates"))).toBeGreaterThan(20);
    const text = (await page.locator("#generate-output").textContent()) ?? "";
    expect(text.startsWith("It is a truth universally acknowledged")).toBe(true);
    const generated = text.slice("It is a truth universally acknowledged".length);
    expect([...generated].length).toBe(300);
    // English-like: mostly letters and spaces, several words the novels use.
    expect(generated.replace(/[^a-zA-Z ]/g, "").length / generated.length).toBeGreaterThan(0.85);
    expect(generated.split(/\W+/).filter((word) => ["the", "and", "of", "to", "her", "was", "she", "a", "in", "that"].includes(word.toLowerCase())).length).toBeGreaterThan(5);
    await shoot("generate");
  });

  it("(a) generates from the int8 weights too, a quarter of the download", async () => {
    await expect(page.locator("#generate-sizes").textContent()).resolves.toMatch(/^float32: 1\.43 MB, int8: 0\.39 MB to download$/);
    await page.selectOption("#generate-weights", "int8");
    await page.locator("#generate-model[data-weights=int8]").waitFor({ timeout: 30_000 });
    await expect(page.locator("#generate-model").textContent()).resolves.toMatch(/Jane Austen model, int8 weights \(0\.39 MB\): LSTM with 256 hidden units/);
    await page.fill("#generate-length", "300");
    await page.locator("#generate-run").click();
    await page.locator("#generate-output[data-done=true]").waitFor({ timeout: 30_000 });
    const generated = ((await page.locator("#generate-output").textContent()) ?? "").slice("It is a truth universally acknowledged".length);
    expect([...generated].length).toBe(300);
    expect(generated.replace(/[^a-zA-Z ]/g, "").length / generated.length).toBeGreaterThan(0.85);
    expect(generated.split(/\W+/).filter((word) => ["the", "and", "of", "to", "her", "was", "she", "a", "in", "that"].includes(word.toLowerCase())).length).toBeGreaterThan(5);
    await page.selectOption("#generate-weights", "float32");
    await page.locator("#generate-model[data-weights=float32]").waitFor({ timeout: 30_000 });
  });

  it("(a) shows a readable error for a bad model file and keeps the loaded model", async () => {
    await page.setInputFiles("#generate-file", { name: "broken.safetensors", mimeType: "application/octet-stream", buffer: Buffer.from("this is not a safetensors file at all") });
    const error = page.locator("#generate-error");
    await error.waitFor({ state: "visible" });
    await expect(error.textContent()).resolves.toMatch(/^FormatError: broken\.safetensors: /);
    await page.locator("#generate-run").click();
    await page.locator("#generate-output[data-done=true]").waitFor({ timeout: 30_000 });
    await expect(error.isHidden()).resolves.toBe(true);
    await expect(page.locator("#generate-model").textContent()).resolves.toMatch(/Jane Austen model/);
  });

  it("(b) trains in a worker with a live loss curve, and the trained model writes", async () => {
    await expect(page.locator("#train-text").inputValue()).resolves.toMatch(/^It is a truth universally acknowledged/);
    await page.fill("#train-hidden", "128");
    await page.fill("#train-steps", "300");
    await page.locator("#train-run").click();
    await page.locator("#train-status[data-outcome]").waitFor({ timeout: 120_000 });
    await expect(page.locator("#train-status").textContent()).resolves.toMatch(/^Done after 300 steps/);
    const losses = (await page.locator("#train-chart").getAttribute("data-losses"))!.split(" ").map(Number);
    expect(losses).toHaveLength(60); // a point every 5 steps
    expect(losses.at(-1)!).toBeLessThan(losses[0] * 0.6);
    await expect(page.locator("#train-chart polyline").count()).resolves.toBe(1);
    await expect(page.locator("#train-sample").textContent()).resolves.toMatch(/\S/);
    await shoot("train");
  });

  it("(b) stops on request, and the page goes on working while the worker trains", async () => {
    await page.fill("#train-hidden", "64");
    await page.fill("#train-steps", "100000");
    await page.locator("#train-run").click();
    await reachedStep(20);
    // The page is free while the worker trains: the date panel answers in the meantime.
    await page.fill("#dates-input", "the 1 of may, 2000");
    await page.locator("#dates-run").click();
    await expect(page.locator("#dates-output tbody tr:first-child td:nth-child(2)").textContent()).resolves.toBe("2000-05-01");
    await reachedStep(60);
    await expect(page.locator("#train-status").getAttribute("data-outcome")).resolves.toBeNull();
    await page.locator("#train-stop").click();
    await page.locator("#train-status[data-outcome=abort]").waitFor({ timeout: 30_000 });
    await expect(page.locator("#train-status").textContent()).resolves.toMatch(/^Stopped after \d+ steps/);
    await expect(page.locator("#train-sample").textContent()).resolves.toMatch(/\S/);
    await expect(page.locator("#train-run").isEnabled()).resolves.toBe(true);
  });

  it("(b) reports text too short to train on", async () => {
    await page.fill("#train-steps", "50");
    await page.fill("#train-text", "");
    await page.locator("#train-run").click();
    const error = page.locator("#train-error");
    await error.waitFor({ state: "visible" });
    await expect(error.textContent()).resolves.toMatch(/^ShapeError: CharTokenizer.fit: the corpus is empty/);
  });

  it("(c) normalises dates, greedy and with each beam width", async () => {
    const cases = [
      ["the 14 of july, 1989", "1989-07-14"],
      ["Mon 3 Feb 2025", "2025-02-03"],
      ["12/25/1999", "1999-12-25"],
      ["september 9, 1969", "1969-09-09"],
    ];
    for (const beam of ["1", "2", "4", "8"]) {
      await page.selectOption("#dates-beam", beam);
      for (const [written, iso] of cases) {
        await page.fill("#dates-input", written);
        await page.locator("#dates-run").click();
        const row = page.locator("#dates-output tbody tr:first-child td");
        await expect(row.nth(0).textContent()).resolves.toBe(written);
        await expect(row.nth(1).textContent()).resolves.toBe(iso);
        await expect(row.nth(3).textContent()).resolves.toBe(beam === "1" ? "greedy" : `beam ${beam}`);
        expect(Number(await row.nth(2).textContent())).toBeLessThan(0);
      }
    }
    await page.locator("#dates .example", { hasText: "2001/9/11" }).click();
    await expect(page.locator("#dates-output tbody tr:first-child td:nth-child(2)").textContent()).resolves.toBe("2001-09-11");
    await shoot("dates");
  });

  it("(d) times W1, W2 and W4 with one thread, with workers on shared memory, and quantized to int8", async () => {
    await page.locator("#speed-run").click();
    await page.locator("#speed-output tbody tr[data-workload=W4]").waitFor({ timeout: 120_000 });
    for (const id of ["W1", "W2", "W4"]) {
      const cells = await page.locator(`#speed-output tr[data-workload=${id}] td`).allTextContents();
      console.log(`demo speed panel: ${cells.join(" | ")}`);
      expect(cells[1]).toMatch(/^\d+\.\d+ ms$/);
      expect(Number(cells[2])).toBeGreaterThan(0);
      expect(cells[3]).toMatch(/^\d+\.\d+ ms$/);
      expect(cells[5]).toMatch(/^\d+\.\d+×$/);
      expect(cells[6]).toMatch(/^\d+\.\d+ ms$/);
      expect(cells[8]).toMatch(/^\d+\.\d+×$/);
    }
    console.log(`demo speed panel: ${await page.locator("#speed-status").textContent()}`);
    await expect(page.locator("#speed-status").textContent()).resolves.toMatch(/int8 inner product "(relaxed|relaxed-i16|i16)"; workers share the page's wasm memory; the pool measured whether splitting pays: W1 (split|whole) \(split \d+\.\d+, whole \d+\.\d+ ms a step\), W2 (split|whole) \(.*W4 (split|whole) \(/);
    await shoot("speed");
  });

  it("logged no console errors and threw nothing uncaught", () => {
    expect(browser.problems).toEqual([]);
  });
});

describe("demo site without cross-origin isolation", () => {
  it("runs on private memory, says so, and logs no errors", async () => {
    const plain = await startBrowser({ isolated: false });
    try {
      const other = await plain.open("/");
      await other.locator("body[data-ready=true]").waitFor({ timeout: 60_000 });
      await expect(other.locator("#engine").textContent()).resolves.toMatch(/private memory \(the page is not cross-origin isolated\)/);
      await other.fill("#dates-input", "Jan 5 2010");
      await other.locator("#dates-run").click();
      await expect(other.locator("#dates-output tbody tr:first-child td:nth-child(2)").textContent()).resolves.toBe("2010-01-05");
      expect(plain.problems).toEqual([]);
    } finally {
      await plain.close();
    }
  }, 90_000);
});
