// Where the four builds of the wasm core are: literal `new URL("…", import.meta.url)` expressions, the
// form Vite and webpack recognise, copy into their output and rename. Each path is relative to the
// module it is evaluated in, which is always two folders below the package root: this file in src/
// or dist/ (src/engine, dist/engine), or a browser bundle (dist/browser). The inline bundle replaces
// this module with wasm-inline.ts. Evaluated only when a build is loaded, never at import (edge
// runtimes have no import.meta.url).

/** The builds: plain or relaxed SIMD, each with a private or a shared memory. */
export type BuildName = "release" | "relaxed" | "threads" | "threads-relaxed";

/** Where a build is (a URL), or its bytes when the bundle embeds them. */
export function wasmBuild(name: BuildName): URL | Uint8Array {
  switch (name) {
    case "release":
      return new URL("../../build/release.wasm", import.meta.url);
    case "relaxed":
      return new URL("../../build/relaxed.wasm", import.meta.url);
    case "threads":
      return new URL("../../build/threads.wasm", import.meta.url);
    case "threads-relaxed":
      return new URL("../../build/threads-relaxed.wasm", import.meta.url);
  }
}
