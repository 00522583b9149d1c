// Small DOM helpers the demo's panels share: finding elements and showing errors readably.

/** The element with this id (the page's own markup: a missing one is a bug in the page). */
export function element<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

/** An error's readable text: its class name (ShapeError, FormatError, …) and message. */
export function describeError(error: unknown): string {
  if (error instanceof Error || (error && typeof error === "object" && "message" in error)) {
    const { name, message } = error as { name?: string; message: string };
    return name && name !== "Error" ? `${name}: ${message}` : message;
  }
  return String(error);
}

/** Shows `error` in an alert box (or hides the box when error is null). */
export function showError(box: HTMLElement, error: unknown): void {
  box.hidden = error === null;
  box.textContent = error === null ? "" : describeError(error);
}

/** Bytes of a file the demo serves (models, texts), or an Error naming the URL. */
export async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot load ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** n with thousands separators. */
export function formatCount(n: number): string {
  return n.toLocaleString("en");
}
