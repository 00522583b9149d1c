// How the browser tests and the browser benchmark start Chromium: Debian's /usr/bin/chromium (or
// $CHROMIUM), headless, with the flags that keep it off this machine's closed network.

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

export const CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"];
