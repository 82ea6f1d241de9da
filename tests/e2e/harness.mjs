// Shared end-to-end harness: serves the release dist/ on 127.0.0.1 and drives Debian's
// Chromium through playwright-core (a browser download is not possible here, nor needed).
import http from "node:http";
import { before, after } from "node:test";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, "../..");
const distDir = process.env.DIST_DIR || path.join(repoRoot, "dist");
const toolsDir = process.env.TOOLS_DIR || path.join(process.env.HOME, ".cache/raft-explorer/tools");
const { chromium } = createRequire(path.join(toolsDir, "package.json"))("playwright-core");

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
};

/**
 * Serves dist/ on a free loopback port; resolves to { url, close }. `base` puts dist/ under a
 * sub-path ("/raft/", as a static host would); `files` serves other files at fixed paths
 * ({ "/blog.html": absolute path }).
 */
export function serveDist({ base = "/", files = {} } = {}) {
  if (!fs.existsSync(path.join(distDir, "index.html"))) {
    throw new Error(`no ${distDir}/index.html: build it first (scripts/build-page.sh --release)`);
  }
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url, "http://x").pathname);
    let file = files[urlPath];
    if (!file) {
      if (!urlPath.startsWith(base)) {
        res.writeHead(404).end("not found");
        return;
      }
      file = path.normalize(path.join(distDir, urlPath.slice(base.length - 1)));
    }
    if (!file.startsWith(distDir) && !Object.values(files).includes(file)) {
      res.writeHead(403).end();
      return;
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    fs.readFile(file, (err, body) => {
      if (err) {
        res.writeHead(404).end("not found");
        return;
      }
      res.writeHead(200, { "content-type": MIME[path.extname(file)] || "application/octet-stream" });
      res.end(body);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/**
 * Launches headless Chromium with a fresh profile (playwright uses a temporary one). `options`
 * go to playwright's launch as well (e.g. `ignoreDefaultArgs: ["--disable-back-forward-cache"]`:
 * playwright turns the back/forward cache off unless told).
 */
export async function launchBrowser(options = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
    ...options,
  });
}

/**
 * Opens a page that records console errors and uncaught page errors, so every test can assert
 * "no console errors".
 */
export async function openPage(browser, url, { width = 1280, height = 800 } = {}) {
  const page = await browser.newPage({ viewport: { width, height } });
  const errors = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  page.on("pageerror", (err) => errors.push(String(err)));
  await page.goto(url);
  return { page, errors };
}

/**
 * Saves a screenshot under docs/screenshots/ (the README shows one of them), only when asked
 * with SCREENSHOTS=1: the files are tracked, so a plain test run must leave them alone.
 */
export async function screenshot(page, name) {
  if (process.env.SCREENSHOTS !== "1") return;
  const dir = path.join(repoRoot, "docs/screenshots");
  fs.mkdirSync(dir, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(dir, `${name}.png`) });
}

/**
 * The lifecycle every e2e file needs: serve dist/ and launch Chromium once before the file's
 * tests, close both after. Returns an object whose `server` and `browser` are set by then.
 */
export function useServedApp(options) {
  const app = { server: undefined, browser: undefined };
  before(async () => {
    app.server = await serveDist(options);
    app.browser = await launchBrowser();
  });
  after(async () => {
    await app.browser?.close();
    await app.server?.close();
  });
  return app;
}

/** Everything drawn that depends on simulated state (not on wall-clock time). */
export async function snapshot(page) {
  // The animation loop draws the picture on the frame after the page shows a new state (a
  // seek): read it once that frame has passed.
  await page.evaluate(() => new Promise((drawn) => requestAnimationFrame(() => requestAnimationFrame(drawn))));
  return page.evaluate(() => ({
    servers: [...document.querySelectorAll(".mirror [aria-label^='Server ']")].map((e) => e.getAttribute("aria-label")),
    logs: [...document.querySelectorAll(".ltable [role='cell']")].map((e) => e.getAttribute("aria-label") || ""),
    kv: [...document.querySelectorAll(".kvcard")].map((e) => e.textContent),
    // Messages in flight, and where the picture draws them.
    messages: [...document.querySelectorAll(".mirror [aria-label]")]
      .map((e) => e.getAttribute("aria-label"))
      .filter((name) => !name.startsWith("Server "))
      .map((name) => {
        // Where it is drawn, in the picture's own box (the page may have scrolled).
        const canvas = document.querySelector(".picture canvas");
        const [x, y] = canvas.whereIs(name);
        const box = canvas.getBoundingClientRect();
        return `${name} at ${Math.round(x - box.left)},${Math.round(y - box.top)}`;
      })
      .sort(),
  }));
}
