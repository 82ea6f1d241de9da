// The two pages (issue 12's size guard; docs/ARCHITECTURE.md, "Two pages"): the bare address
// loads the sandbox alone; an address that needs the code reading scenarios (a preset, a tour,
// a Share link) goes to the full page (full/) before anything loads; and the sandbox hands its
// run over when the user asks for Share, so nothing they did is lost. Served under /raft/, as
// a static host would, so that every address is relative.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { useServedApp, openPage, repoRoot, launchBrowser } from "./harness.mjs";

const app = useServedApp({
  base: "/raft/",
  files: { "/raft/mine/tour.json": path.join(repoRoot, "static/tours/leader_election.json") },
});
const page0 = () => `${app.server.url}raft/`;

async function waitForLeader(page) {
  await page.getByRole("button", { name: /^Server \d, leader, term \d+$/ }).first().waitFor({ timeout: 20000 });
}

/** The names the picture's mirror gives the servers ("Server 3, leader, term 4", ...). */
async function serverNames(page) {
  return page.getByRole("button", { name: /^Server \d+,/ }).evaluateAll((buttons) => buttons.map((b) => b.getAttribute("aria-label")));
}

/** Opens `url`, recording every address the page requests; `init` runs first in every
 * document, `prepare(page)` before the page opens (routes). */
async function openRecording(url, init, prepare) {
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 800 } });
  if (init) await page.addInitScript(init.script, init.arg);
  if (prepare) await prepare(page);
  const requests = [];
  const finished = []; // requests whose whole response arrived
  const errors = [];
  page.on("request", (r) => requests.push(new URL(r.url()).pathname));
  page.on("requestfinished", (r) => finished.push(new URL(r.url()).pathname));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(url);
  return { page, requests, finished, errors };
}

test("the bare address loads the sandbox and nothing of the full page", async () => {
  const { page, requests, errors } = await openRecording(`${page0()}?seed=3`);
  await waitForLeader(page);
  await page.waitForTimeout(500);
  // Once: the preload (Trunk.toml) is the request the loader then uses; the packed wasm, never
  // the plain one (static/load-wasm.js).
  assert.equal(requests.filter((p) => /^\/raft\/[^/]+_bg\.wasm\.xz$/.test(p)).length, 1, requests.join(" "));
  assert.deepEqual(requests.filter((p) => p.endsWith(".wasm")), [], requests.join(" "));
  assert.deepEqual(requests.filter((p) => p.includes("/full/")), [], "no request under full/");
  assert.equal(new URL(page.url()).pathname, "/raft/");
  assert.deepEqual(errors, []);
  await page.close();
});

test("each page requests its wasm first, before its decoder, its glue and its stylesheet", async () => {
  // On a slow link the wasm is the download that decides when the cluster shows (issue 12's
  // load guard): the preload scanner must request it first, from a plain <link> (Trunk.toml).
  // A preload added by a script left after the glue's request, and one after the stylesheet
  // waited for the stylesheet to arrive.
  for (const url of [`${page0()}?seed=3`, `${page0()}full/?seed=3`]) {
    const page = await app.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const requests = [];
    page.on("request", (r) => requests.push(new URL(r.url()).pathname));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 300, downloadThroughput: -1, uploadThroughput: -1 });
    await page.goto(url);
    await waitForLeader(page);
    // The packed wasm once (the preload is the request the loader uses), the plain one never.
    assert.equal(requests.filter((p) => p.endsWith("_bg.wasm.xz")).length, 1, requests.join(" "));
    assert.deepEqual(requests.filter((p) => p.endsWith(".wasm")), [], requests.join(" "));
    const timing = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType("resource")
      .map((r) => [r.name.match(/_bg\.wasm\.xz$|xz-decompress|\.js$|\.css$/)?.[0], { start: r.startTime, end: r.responseEnd }])));
    const said = `${url}: ${JSON.stringify(timing)}`;
    const wasm = timing["_bg.wasm.xz"];
    for (const other of ["xz-decompress", ".js", ".css"]) assert.ok(wasm.start <= timing[other].start, `${other} first: ${said}`);
    assert.ok(wasm.start < timing[".css"].end, said);
    await page.close();
  }
});

for (const [broken, reply] of [
  ["missing", async () => ({ status: 404, body: "" })],
  ["damaged", async () => ({ status: 200, body: Buffer.from("\xfd7zXZ\0 not an xz stream at all", "latin1") })],
  // Cut in half: the unpacking and the compiling have begun when the stream breaks.
  ["cut short", async (route) => {
    const whole = await (await route.fetch()).body();
    return { status: 200, body: whole.subarray(0, whole.length >> 1) };
  }],
]) {
  test(`a page whose packed wasm is ${broken} starts from the plain one`, async () => {
    // static/load-wasm.js: an old host without the .xz, or a damaged copy, still gets a page.
    for (const url of [`${page0()}?seed=3`, `${page0()}full/?seed=3`]) {
      const page = await app.browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.route(/_bg\.wasm\.xz$/, async (route) => route.fulfill({ ...(await reply(route)), contentType: "application/octet-stream" }));
      const warnings = [];
      const errors = [];
      const requests = [];
      page.on("request", (r) => requests.push(new URL(r.url()).pathname));
      page.on("console", (m) => (m.type() === "warning" ? warnings : m.type() === "error" ? errors : []).push(m.text()));
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(url);
      await waitForLeader(page);
      assert.ok(requests.some((p) => p.endsWith("_bg.wasm")), `the plain wasm: ${requests.join(" ")}`);
      assert.ok(warnings.some((w) => w.includes("the packed wasm could not be read")), warnings.join(" | "));
      // The 404 itself is reported by the browser; nothing else may be.
      assert.deepEqual(errors.filter((e) => !(broken === "missing" && e.includes("404"))), []);
      await page.close();
    }
  });
}

test("a preset in the address opens on the full page, query kept", async () => {
  // The full page's address answers a second late, so that only the sandbox's own stop can
  // have aborted its files (a navigation that commits aborts them too).
  const slowFullPage = async (page) => page.route(/\/raft\/full\/\?/, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await route.continue();
  });
  const { page, requests, finished, errors } = await openRecording(`${page0()}?preset=leader_crash&speed=1&seed=4`, undefined, slowFullPage);
  await page.waitForURL(/\/raft\/full\/\?preset=leader_crash&speed=1&seed=4$/);
  await waitForLeader(page);
  assert.ok(requests.some((p) => /^\/raft\/full\/[^/]+_bg\.wasm\.xz$/.test(p)), requests.join(" "));
  // The redirect comes first: the sandbox's own files are not downloaded on the way (the
  // preload scanner may have asked for them; the redirect stops the page, which aborts them).
  assert.deepEqual(finished.filter((p) => /^\/raft\/[^/]+\.(wasm|xz|js|css)$/.test(p)), [], finished.join(" "));
  // The preset is the one running: the picker says so.
  assert.equal(await page.getByLabel("Scenario preset").evaluate((s) => s.options[s.selectedIndex].text), "Leader crash");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a Share link opens on the full page; a damaged one says so there", async () => {
  const { page, errors } = await openRecording(`${page0()}#v2.not-a-link`);
  await page.waitForURL(/\/raft\/full\/#v2\.not-a-link$/);
  await page.locator(".notice").filter({ hasText: "could not be opened" }).waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test("a tour named by a path is read from beside the bare address", async () => {
  const { page, requests, errors } = await openRecording(`${page0()}?tour=mine/tour.json`);
  await page.waitForURL(/\/raft\/full\/\?tour=mine\/tour\.json$/);
  await page.locator(".tour-progress").getByText(/step 1 of \d+/).waitFor({ timeout: 15000 });
  assert.ok(requests.includes("/raft/mine/tour.json"), requests.join(" "));
  assert.deepEqual(errors, []);
  await page.close();
});

test("Share in the sandbox hands the run to the full page: the same moment, paused, dialog open", async () => {
  const { page, errors } = await openRecording(`${page0()}?seed=5&speed=1`);
  await waitForLeader(page);
  await page.keyboard.press("c"); // a client request
  await page.waitForTimeout(300);
  await page.keyboard.press("k"); // crash the leader
  await page.waitForTimeout(600);
  await page.keyboard.press(" "); // pause, to read the moment
  await page.waitForFunction(() => document.querySelector(".app")?.dataset.playing === "false");
  const now = await page.locator(".app").getAttribute("data-now");
  const names = await serverNames(page);
  await page.keyboard.press("s");
  // Marked as a handover; the full page drops the mark from its address once taken.
  await page.waitForURL(/\/raft\/full\/\?(handover&)?speed=1&seed=5$/);
  const dialog = page.getByRole("dialog", { name: "Share this moment" });
  await dialog.waitFor({ timeout: 20000 });
  assert.equal(await page.locator(".app").getAttribute("data-playing"), "false");
  assert.equal(await page.locator(".app").getAttribute("data-now"), now, "the same simulated moment");
  assert.deepEqual(await serverNames(page), names, "the same servers, roles and terms");
  // The link made there points at the bare address, like every Share link.
  assert.match(await dialog.locator(".share-link").inputValue(), /\/raft\/#v2\.[A-Za-z0-9_-]+$/);
  // The handover was taken: a reload of the full page does not open it again.
  assert.equal(await page.evaluate(() => sessionStorage.getItem("raft-explorer.handover")), null);
  assert.equal(new URL(page.url()).search, "?speed=1&seed=5", "the mark is gone from the address");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a preset picked in the sandbox runs from its own seed, with the view the user set", async () => {
  // The address says seed 7 and paused; the preset's story needs its own seed, and plays.
  const { page, errors } = await openRecording(`${page0()}?seed=7&speed=2`);
  await waitForLeader(page);
  await page.locator("h1").click();
  await page.keyboard.press("m"); // lecture mode, set here and not in the address
  await page.locator(".app.lecture").waitFor();
  await page.getByRole("button", { name: "Dark theme" }).click();
  await page.getByRole("combobox", { name: "Scenario preset" }).selectOption({ label: "Leader crash" });
  await page.waitForURL(/\/raft\/full\/\?preset=leader_crash&/);
  const query = new URL(page.url()).searchParams;
  assert.equal(query.get("seed"), null, "the address's seed stays behind");
  assert.ok(query.has("lecture") && query.get("theme") === "dark", page.url());
  await page.locator(".app.lecture[data-theme='dark']").waitFor();
  await page.getByText(/S1 wins the first election/).waitFor();
  const presetSeed = JSON.parse(fs.readFileSync(path.join(repoRoot, "src/scenario/presets/leader_crash.json"), "utf8")).seed;
  assert.match(await page.locator(".seed").innerText(), new RegExp(`seed ${presetSeed}$`));
  assert.equal(await page.locator(".app").getAttribute("data-playing"), "true", "a picked preset plays");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a handover left behind is dropped, not taken by a later visit", async () => {
  const { page, errors } = await openRecording(`${page0()}?seed=3`);
  await waitForLeader(page);
  // As if the user pressed Share and went back before the full page started (with session
  // storage, and without: in the tab's name).
  await page.evaluate(() => {
    sessionStorage.setItem("raft-explorer.handover", '{"version":1}');
    window.name = 'raft-explorer.handover:{"version":1}';
  });
  await page.goto(`${page0()}full/?seed=3`);
  await waitForLeader(page);
  await page.waitForTimeout(500);
  assert.equal(await page.getByRole("dialog", { name: "Share this moment" }).count(), 0);
  assert.equal(await page.locator(".notice").filter({ hasText: /previous page|taken over|Your run/ }).count(), 0);
  assert.equal(await page.evaluate(() => sessionStorage.getItem("raft-explorer.handover")), null);
  assert.equal(await page.evaluate(() => window.name), "");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the sandbox drops a handover it finds in the tab's name, and leaves any other name", async () => {
  // Another site can set a tab's name (an iframe's name) to what looks like a handover.
  const { page, errors } = await openRecording(`${page0()}?seed=3`);
  await waitForLeader(page);
  await page.evaluate(() => (window.name = 'raft-explorer.handover:{"version":1}'));
  await page.reload();
  await waitForLeader(page);
  assert.equal(await page.evaluate(() => window.name), "", "dropped when the sandbox starts");
  // An embedder's name for its frame is not ours to clear.
  await page.evaluate(() => (window.name = "my-frame"));
  await page.reload();
  await waitForLeader(page);
  assert.equal(await page.evaluate(() => window.name), "my-frame");
  assert.deepEqual(errors, []);
  await page.close();
});

// A tab without session storage: a sandboxed iframe without allow-same-origin, or storage
// switched off, where reading `window.sessionStorage` throws or gives null.
for (const storage of ["throws", "null"]) {
  test(`Share hands the run over without session storage (it ${storage}), in the tab's window.name`, async () => {
    const noStorage = (how) => {
      Object.defineProperty(window, "sessionStorage", {
        configurable: true,
        get() {
          if (how === "throws") throw new DOMException("The operation is insecure.", "SecurityError");
          return null;
        },
      });
    };
    const { page, errors } = await openRecording(`${page0()}?seed=5&speed=1`, { script: noStorage, arg: storage });
    const how = () => page.evaluate(() => {
      try {
        return window.sessionStorage === null ? "null" : "there";
      } catch {
        return "throws";
      }
    });
    assert.equal(await how(), storage);
    await waitForLeader(page);
    await page.keyboard.press("k"); // crash the leader
    await page.waitForTimeout(400);
    await page.keyboard.press(" ");
    await page.waitForFunction(() => document.querySelector(".app")?.dataset.playing === "false");
    const now = await page.locator(".app").getAttribute("data-now");
    const names = await serverNames(page);
    await page.keyboard.press("s");
    await page.waitForURL(/\/raft\/full\/\?(handover&)?speed=1&seed=5$/);
    await page.getByRole("dialog", { name: "Share this moment" }).waitFor({ timeout: 20000 });
    assert.equal(await how(), storage, "no storage on the full page either");
    assert.equal(await page.locator(".app").getAttribute("data-now"), now, "the same simulated moment");
    assert.deepEqual(await serverNames(page), names, "the same servers, roles and terms");
    assert.equal(await page.evaluate(() => window.name), "", "taken out of the tab's name");
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test("Share when session storage refuses the run: the run in the tab's name, not an older one left in storage", async () => {
  // Storage full (a large import): setItem throws. An older handover under the key must not
  // be taken instead of this one.
  const fullStorage = () => {
    if (!location.pathname.includes("/full/")) sessionStorage.setItem("raft-explorer.handover", '{"version":1}');
    Storage.prototype.setItem = () => {
      throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    };
  };
  const { page, errors } = await openRecording(`${page0()}?seed=5&speed=1`, { script: fullStorage });
  await waitForLeader(page);
  await page.keyboard.press(" ");
  await page.waitForFunction(() => document.querySelector(".app")?.dataset.playing === "false");
  const now = await page.locator(".app").getAttribute("data-now");
  await page.keyboard.press("s");
  await page.waitForURL(/\/raft\/full\//);
  await page.getByRole("dialog", { name: "Share this moment" }).waitFor({ timeout: 20000 });
  assert.equal(await page.locator(".app").getAttribute("data-now"), now, "this run, at its moment");
  assert.equal(await page.locator(".notice").filter({ hasText: /could not be taken over/ }).count(), 0);
  assert.equal(await page.evaluate(() => window.name), "", "taken out of the tab's name");
  assert.deepEqual(errors, []);
  await page.close();
});

/** A `v2.` Share link made by hand: base64url of the raw-DEFLATEd JSON (docs/SCENARIOS.md). */
function handMadeLink(run) {
  return `v2.${zlib.deflateRawSync(Buffer.from(JSON.stringify(run))).toString("base64url")}`;
}

test("a hand-made link: a server the run cannot have is an error, an action the run refuses is skipped and named", async () => {
  const scenario = { version: 1, name: "By hand", seed: 7 };
  const crash42 = handMadeLink({ scenario, actions: [{ time: 1000, after_events: 0, action: { crash: { server: 42 } } }], at_us: 2000000 });
  const { page, errors } = await openRecording(`${page0()}#${crash42}`);
  await page
    .locator(".notice")
    .filter({ hasText: 'the shared link could not be opened: field "actions[0]": (crash at 1 ms) S42 is not a server of this 5-server cluster' })
    .waitFor();
  // S2 is up: the world refuses to restart it, and the page says what did not happen.
  const restart2 = handMadeLink({ scenario, actions: [{ time: 1000, after_events: 0, action: { restart: { server: 2 } } }], at_us: 2000000 });
  const opened = await openRecording(`${page0()}#${restart2}`);
  await opened.page.locator(".notice").filter({ hasText: "without an action the run refused (at 0.0 s: S2 is not crashed)" }).waitFor();
  assert.equal(await opened.page.locator(".app").getAttribute("data-now"), "2000000");
  // One the run reaches by Step (N), event by event, after the moment the link opens at, is
  // named too.
  const later = handMadeLink({ scenario, actions: [{ time: 2000500, after_events: 0, action: { restart: { server: 2 } } }], at_us: 2000000 });
  const stepped = await openRecording(`${page0()}#${later}`);
  await stepped.page.locator(".app[data-now='2000000']").waitFor();
  const skipped = stepped.page.locator(".notice").filter({ hasText: /Skipped an action the run refused \(at 2\.0 s: / });
  for (let press = 0; press < 200 && !(await skipped.count()); press++) await stepped.page.keyboard.press("n");
  await skipped.waitFor({ timeout: 1000 });
  assert.ok(Number(await stepped.page.locator(".app").getAttribute("data-now")) >= 2000500);
  assert.deepEqual(errors, []);
  assert.deepEqual(opened.errors, []);
  assert.deepEqual(stepped.errors, []);
  await page.close();
  await opened.page.close();
  await stepped.page.close();
});

test("back from the full page, the sandbox no longer says the full page is opening", async (t) => {
  // Playwright turns the back/forward cache off: this test's browser has it, as a reader's
  // does. Restored from it, the sandbox shows the page as it was left, notice and all (unless
  // it clears it).
  const browser = await launchBrowser({ ignoreDefaultArgs: ["--disable-back-forward-cache"] });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.addInitScript(() => {
    window.addEventListener("pageshow", (e) => (window.restoredFromCache = e.persisted));
  });
  await page.goto(`${page0()}?seed=5&speed=1`);
  await waitForLeader(page);
  await page.keyboard.press("s");
  await page.waitForURL(/\/raft\/full\//);
  await page.getByRole("dialog", { name: "Share this moment" }).waitFor({ timeout: 20000 });
  // "commit": a page restored from the cache fires no load event.
  await page.goBack({ waitUntil: "commit" });
  await page.waitForFunction(() => window.restoredFromCache !== undefined);
  assert.match(page.url(), /\/raft\/\?seed=5&speed=1$/);
  // Chromium here restores it: the notice was there when the page was stored.
  assert.equal(await page.evaluate(() => window.restoredFromCache), true, "restored from the back/forward cache");
  await waitForLeader(page);
  await page.waitForTimeout(300);
  assert.deepEqual(await page.locator(".notice").allInnerTexts(), [], "no notice left over");
  assert.deepEqual(errors, []);
});

test("back from the full page after a handover in the tab's name, the tab has its own name again", async (t) => {
  // Without session storage the run goes in the tab's name, which the full page empties once
  // it has read it; Back brings the sandbox again (from the back/forward cache), which gives
  // the tab the name it had (an embedder's frame name, say).
  const browser = await launchBrowser({ ignoreDefaultArgs: ["--disable-back-forward-cache"] });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.addInitScript(() => {
    Object.defineProperty(window, "sessionStorage", { configurable: true, get: () => null });
    window.addEventListener("pageshow", (e) => (window.restoredFromCache = e.persisted));
  });
  await page.goto(`${page0()}?seed=5&speed=1`);
  await waitForLeader(page);
  await page.evaluate(() => (window.name = "my-tab"));
  await page.keyboard.press("s");
  await page.waitForURL(/\/raft\/full\//);
  await page.getByRole("dialog", { name: "Share this moment" }).waitFor({ timeout: 20000 });
  assert.equal(await page.evaluate(() => window.name), "", "the full page took the run out of the name");
  await page.goBack({ waitUntil: "commit" });
  await page.waitForFunction(() => window.restoredFromCache !== undefined);
  assert.equal(await page.evaluate(() => window.restoredFromCache), true, "restored from the back/forward cache");
  await waitForLeader(page);
  await page.waitForFunction(() => window.name === "my-tab", null, { timeout: 5000 }).catch(() => {});
  assert.equal(await page.evaluate(() => window.name), "my-tab");
  assert.deepEqual(errors, []);
});
