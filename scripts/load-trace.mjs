// Where the first load's time goes, in the load guard's conditions (side-by-side.sh load: served
// gzip, Fast 3G 1.6 Mbps / 150 ms RTT, 4x slower CPU): when each file finished downloading,
// when the cluster showed (and when load-time.js's way of looking finds it), and the main
// thread's work by kind (Chromium's trace). Whatever comes after the wasm's download is what
// startup work (not size) can win back.
// Usage: node scripts/load-trace.mjs DIST_DIR [RUNS=3]   (after scripts/build-page.sh --release)
// Needs the tools scripts/setup.sh installs (playwright-core, Chromium). Times drift with the
// machine's load: compare runs made in one sitting.
import http from "node:http"; import fs from "node:fs"; import path from "node:path"; import os from "node:os";
import zlib from "node:zlib";
import { launchBrowser } from "../tests/e2e/harness.mjs";

const [dist, runs = "3"] = process.argv.slice(2);
const MIME = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css", ".svg": "image/svg+xml" };
const server = http.createServer((q, r) => {
  let f = path.join(dist, new URL(q.url, "http://x").pathname);
  if (f.endsWith("/")) f += "index.html";
  fs.readFile(f, (e, b) => {
    if (e) { r.writeHead(404).end(); return; }
    r.writeHead(200, { "content-type": MIME[path.extname(f)] || "application/octet-stream", "content-encoding": "gzip" });
    r.end(zlib.gzipSync(b, { level: 9 }));
  });
});
await new Promise((res) => server.listen(0, "127.0.0.1", res));
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await launchBrowser();
const KINDS = ["wasm.CompileLazy", "v8.callFunction", "Layout", "UpdateLayoutTree", "Paint", "Commit"];
for (let i = 0; i < +runs; i++) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 });
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  const traceFile = path.join(os.tmpdir(), `load-trace-${process.pid}.json`);
  await browser.startTracing(page, { path: traceFile, categories: ["devtools.timeline", "v8", "v8.wasm", "disabled-by-default-devtools.timeline"] });
  // When the cluster shows, stamped as it happens; and when the guard's tool finds it
  // (load-time.js: Playwright's waitForSelector, which looks at 0, 20, 50, 100, 100 ms and then
  // every 500 ms, each look waiting for the page's main thread).
  const selector = '[aria-label^="Server 5,"]';
  await page.addInitScript((sel) => {
    new MutationObserver((_, observer) => {
      if (document.querySelector(sel)) {
        window.__shownMs = performance.now();
        observer.disconnect();
      }
    }).observe(document, { subtree: true, childList: true });
  }, selector);
  await page.goto(url, { waitUntil: "commit" });
  await page.waitForSelector(selector, { timeout: 60000 });
  const foundWall = Date.now();
  const shownMs = Math.round(await page.evaluate(() => window.__shownMs));
  const foundMs = Math.round(foundWall - (await page.evaluate(() => performance.timeOrigin)));
  const files = await page.evaluate(() => performance.getEntriesByType("resource")
    .map((r) => [r.name.split("/").pop().replace(/-[0-9a-f]{8,16}/, ""), Math.round(r.responseEnd)]));
  await browser.stopTracing();
  // The renderer's main thread: total time of each kind of work, nested events counted apart.
  const events = JSON.parse(fs.readFileSync(traceFile, "utf8")).traceEvents;
  fs.unlinkSync(traceFile);
  const main = events.find((e) => e.ph === "M" && e.name === "thread_name" && e.args.name === "CrRendererMain");
  const work = Object.fromEntries(KINDS.map((k) => [k, 0]));
  for (const e of events) {
    if (e.ph === "X" && e.pid === main.pid && e.tid === main.tid && e.name in work) work[e.name] += e.dur / 1000;
  }
  for (const k of KINDS) work[k] = Math.round(work[k]);
  console.log(JSON.stringify({ shown_ms: shownMs, found_ms: foundMs, downloaded_ms: Object.fromEntries(files), main_thread_ms: work }));
  await context.close();
}
await browser.close();
server.close();
