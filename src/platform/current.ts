// The platform this build of the library runs on: Node's (node.ts) in the Node build and in tests.
// The browser bundles' build (scripts/build-browser.mjs) resolves this module to web.ts instead, so
// nothing a browser or edge runtime loads imports a `node:` module.

export { platform, spawnWorker, exposeToParent } from "./node.js";
