// Share, files, URL options and embed mode (issue 13), on dist/ served under a sub-path
// (/raft/, as a static host would) beside examples/blog.html: a Share link reopens the same
// state at the same time, paused; exports and imports; bad links and files get one message
// and a working page; URL options agree and say what they did; embedded views do not steal
// the focus and run only while visible.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import zlib from "node:zlib";
import { useServedApp, openPage, repoRoot, snapshot } from "./harness.mjs";

const app = useServedApp({ base: "/raft/", files: { "/blog.html": path.join(repoRoot, "examples/blog.html") } });
const page0 = () => `${app.server.url}raft/`;

async function simNow(page) {
  return +(await page.locator(".app").getAttribute("data-now"));
}

async function waitForLeader(page) {
  await page.getByRole("button", { name: /^Server \d, leader, term \d+$/ }).first().waitFor({ timeout: 20000 });
}

/** A v2 link carrying `json` (what a hand-made or tampered link would hold). */
function v2(json) {
  return `v2.${zlib.deflateRawSync(Buffer.from(JSON.stringify(json))).toString("base64url")}`;
}

function notice(page) {
  return page.locator(".notice");
}

test("dist/ served under /raft/ loads its files by relative addresses and runs", async () => {
  const { page, errors } = await openPage(app.browser, page0());
  await page.getByRole("heading", { name: "Raft Explorer" }).waitFor();
  await waitForLeader(page);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a Share link reopens the same state at the same time, paused", async () => {
  const { page, errors } = await openPage(app.browser, `${page0()}?seed=5&speed=1`);
  await waitForLeader(page);
  await page.keyboard.press("c"); // a client request
  await page.waitForTimeout(300);
  await page.keyboard.press("k"); // crash the leader
  await page.waitForTimeout(600);
  await page.keyboard.press("c");
  await page.waitForTimeout(400);
  await page.keyboard.press("s");
  const dialog = page.getByRole("dialog", { name: "Share this moment" });
  await dialog.waitFor();
  assert.equal(await page.locator(".app").getAttribute("data-playing"), "false", "sharing pauses");
  const link = await dialog.locator(".share-link").inputValue();
  assert.match(link, /\/raft\/#v2\.[A-Za-z0-9_-]+$/);
  const snippet = await dialog.locator(".share-iframe").inputValue();
  assert.ok(snippet.startsWith("<iframe src=") && snippet.includes("?embed#v2."), snippet);
  const now = await simNow(page);
  // The link is focused and selected, ready to copy; Escape closes the dialog.
  assert.equal(await page.evaluate(() => document.activeElement.className), "share-link");
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
  const before = await snapshot(page);

  const { page: again, errors: errors2 } = await openPage(app.browser, link);
  await again.locator(".notice", { hasText: "the shared run, paused at" }).waitFor();
  assert.equal(await simNow(again), now, "same time");
  assert.equal(await again.locator(".app").getAttribute("data-playing"), "false", "paused there");
  assert.deepEqual(await snapshot(again), before, "same state");
  // And it plays on from there.
  await again.getByRole("button", { name: "Play" }).first().click();
  await again.waitForFunction((t) => +document.querySelector(".app").dataset.now > t, now);
  assert.deepEqual([...errors, ...errors2], []);
  await page.close();
  await again.close();
});

test("exports: the run as a scenario file and the trace as text and JSON lines", async () => {
  const { page, errors } = await openPage(app.browser, `${page0()}?preset=leader_crash&speed=2`);
  await waitForLeader(page);
  await page.keyboard.press("c");
  await page.waitForTimeout(300);
  await page.getByRole("button", { name: "Share" }).click();
  const dialog = page.getByRole("dialog");
  const read = async (name) => {
    const href = await dialog.getByRole("link", { name }).getAttribute("href");
    return decodeURIComponent(href.slice(href.indexOf(",") + 1));
  };
  const scenario = JSON.parse(await read("scenario (JSON)"));
  assert.equal(scenario.version, 1);
  assert.equal(scenario.name, "Leader crash");
  assert.ok(scenario.steps.some((s) => s.action === "client_request" && s.command === "SET x 1"), JSON.stringify(scenario.steps));
  const text = await read("trace (text)");
  assert.match(text, /§5\.2/);
  const lines = (await read("trace (JSON lines)")).trim().split("\n").map((l) => JSON.parse(l));
  assert.ok(lines.length > 10 && lines.every((l) => typeof l.text === "string" && Number.isInteger(l.time_us)));
  assert.deepEqual(errors, []);
  await page.close();
});

test("import: a good file by picker and by drop plays; a bad one names step and field", async () => {
  const { page, errors } = await openPage(app.browser, page0());
  await waitForLeader(page);
  await page.keyboard.press("s");
  const good = JSON.stringify({ version: 1, name: "Three of us", seed: 4, cluster: { servers: 3 }, steps: [{ at_ms: 900, action: "crash", server: "leader" }] });
  await page.locator(".share-import").setInputFiles({ name: "good.json", mimeType: "application/json", buffer: Buffer.from(good) });
  await notice(page).filter({ hasText: 'Loaded "Three of us" from good.json' }).waitFor();
  assert.equal(await page.getByRole("button", { name: /^Server \d, / }).count(), 3);

  const bad = JSON.stringify({ version: 1, name: "t", steps: [{ at_ms: 5, action: "crash", servr: "S1" }] });
  await page.evaluate((bad) => {
    const data = new DataTransfer();
    data.items.add(new File([bad], "bad.json", { type: "application/json" }));
    document.querySelector(".app").dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
  }, bad);
  const message = await notice(page).filter({ hasText: "bad.json is not a scenario" }).innerText();
  assert.match(message, /step 0/);
  assert.match(message, /servr/);
  // The run goes on as it was.
  assert.equal(await page.getByRole("button", { name: /^Server \d, / }).count(), 3);
  assert.deepEqual(errors, []);
  await page.close();
});

test("malformed links say what is wrong and leave a working page with its defaults", async () => {
  const { page: sharing } = await openPage(app.browser, `${page0()}?speed=1`);
  await waitForLeader(sharing);
  await sharing.keyboard.press("s");
  const good = (await sharing.locator(".share-link").inputValue()).split("#")[1];
  await sharing.close();
  const cases = [
    [good.slice(0, Math.floor(good.length / 2)), /damaged/],
    ["v2.@@@@", /damaged/],
    ["v9.abc", /should start with "v2\."/],
    [v2({ scenario: { version: 1, name: "t" }, preset: "nope" }), /there is no preset "nope"/],
    [v2({ scenario: { version: 1, name: "t", cluster: { servers: 12 } } }), /cluster\.servers/],
    [v2({ scenario: { version: 1, name: "t" }, at_us: 1, bogus: true }), /bogus/],
  ];
  for (const [link, why] of cases) {
    const { page, errors } = await openPage(app.browser, `${page0()}#${link}`);
    const text = await notice(page).filter({ hasText: "could not be opened" }).innerText();
    assert.match(text, why, link);
    await waitForLeader(page);
    assert.equal(await page.getByRole("button", { name: /^Server \d, / }).count(), 5, "defaults");
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test("URL options agree with each other and say what they did", async () => {
  const open = async (query) => {
    const { page, errors } = await openPage(app.browser, `${page0()}?${query}`);
    await page.locator(".app").waitFor();
    return { page, errors };
  };
  // seed and servers apply on top of a preset, and the notice says so.
  let { page, errors } = await open("seed=7&servers=5&preset=split_vote");
  let text = await notice(page).innerText();
  assert.match(text, /preset "split_vote", seed 7, 5 servers/);
  assert.equal(await page.getByRole("button", { name: /^Server \d, / }).count(), 5);
  assert.match(await page.locator(".hint.seed").innerText(), /seed 7/);
  await page.close();
  // A speed beyond the slider is brought to its end, with a word.
  ({ page, errors } = await open("speed=100"));
  assert.match(await notice(page).innerText(), /speed=100 is beyond .*playing at 10×/);
  assert.match(await page.locator(".speed output").innerText(), /10/);
  await page.close();
  // paused=false plays; paused pauses.
  ({ page } = await open("paused=false"));
  assert.equal(await page.locator(".app").getAttribute("data-playing"), "true");
  await page.close();
  ({ page } = await open("paused"));
  assert.equal(await page.locator(".app").getAttribute("data-playing"), "false");
  await page.close();
  // Percent-escapes are decoded.
  ({ page, errors } = await open("servers=%33"));
  assert.equal(await page.getByRole("button", { name: /^Server \d, / }).count(), 3);
  assert.match(await notice(page).innerText(), /3 servers/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("the page pauses while its tab is hidden and plays again when shown", async () => {
  const { page, errors } = await openPage(app.browser, page0());
  await waitForLeader(page);
  const setHidden = (hidden) =>
    page.evaluate((hidden) => {
      Object.defineProperty(document, "hidden", { value: hidden, configurable: true });
      document.dispatchEvent(new Event("visibilitychange"));
    }, hidden);
  await setHidden(true);
  await page.waitForFunction(() => document.querySelector(".app").dataset.playing === "false");
  const t = await simNow(page);
  await page.waitForTimeout(300);
  assert.equal(await simNow(page), t, "time stands still");
  await setHidden(false);
  await page.waitForFunction(() => document.querySelector(".app").dataset.playing === "true");
  assert.deepEqual(errors, []);
  await page.close();
});

test("hidden right after a showing, the mirror names the moment the page shows", async () => {
  // The mirror catches up with a showing in the frame after it (ui/state.rs): a page paused
  // by hiding runs no more frames, so the pause itself must bring it up to date.
  const { page, errors } = await openPage(app.browser, `${page0()}?seed=3&speed=1`);
  await waitForLeader(page);
  const names = () => page.locator(".mirror [aria-label]").evaluateAll((items) => items.map((e) => e.getAttribute("aria-label")).join(" | "));
  const setHidden = (hidden) =>
    page.evaluate((hidden) => {
      Object.defineProperty(document, "hidden", { value: hidden, configurable: true });
      document.dispatchEvent(new Event("visibilitychange"));
    }, hidden);
  for (let i = 0; i < 8; i++) {
    // Hidden in the frame in which the clock moved on: a showing.
    await page.evaluate(() => new Promise((resolve) => {
      const clock = () => document.querySelector(".app").dataset.now;
      const before = clock();
      const tick = () => {
        if (clock() === before) return requestAnimationFrame(tick);
        Object.defineProperty(document, "hidden", { value: true, configurable: true });
        document.dispatchEvent(new Event("visibilitychange"));
        resolve();
      };
      requestAnimationFrame(tick);
    }));
    await page.waitForFunction(() => document.querySelector(".app").dataset.playing === "false");
    await page.waitForTimeout(100);
    const hidden = await names();
    // An intent brings every panel and the mirror up to the present (the simulator, paused,
    // does not move): the mirror must already have said the same.
    await page.keyboard.press("d");
    await page.waitForTimeout(100);
    assert.equal(hidden, await names(), `try ${i + 1}: the mirror was behind the picture`);
    await setHidden(false);
    await page.waitForFunction(() => document.querySelector(".app").dataset.playing === "true");
    await page.waitForTimeout(200);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test("blog.html: three embedded views, no chrome, the focus stays on the host, off-screen views wait", async () => {
  const { page, errors } = await openPage(app.browser, `${app.server.url}blog.html`, { width: 1000, height: 800 });
  const frames = page.locator("iframe");
  assert.equal(await frames.count(), 3);
  for (let i = 0; i < 3; i++) {
    const frame = page.frameLocator("iframe").nth(i);
    await frame.locator(".app.embed").waitFor();
    assert.equal(await frame.locator("h1").count(), 0, "no page header");
    assert.equal(await frame.locator("footer").count(), 0, "no footer");
  }
  const first = page.frameLocator("iframe").nth(0);
  await first.getByRole("button", { name: /^Server \d, leader, term \d+$/ }).first().waitFor({ timeout: 20000 });
  // The 400×300 view fits its frame: the picture is whole and of a readable size.
  const box = await first.locator(".picture canvas").boundingBox();
  const frameBox = await frames.nth(0).boundingBox();
  assert.ok(box.height >= 150 && box.width >= 150, `picture ${box.width}×${box.height}`);
  assert.ok(box.y + box.height <= frameBox.y + frameBox.height + 1, "the picture is not cut off");
  // The host keeps its focus: typing goes to its comment box, not into the views.
  assert.equal(await page.evaluate(() => document.activeElement.id), "comment");
  await page.keyboard.type("hello");
  assert.equal(await page.locator("#comment").inputValue(), "hello");
  // The second view shows the logs it asked for, the third its controls and events.
  const second = page.frameLocator("iframe").nth(1);
  assert.ok(await second.locator(".logs-cell").count());
  const third = page.frameLocator("iframe").nth(2);
  // Far below the fold, the third view waits; scrolled to, it plays.
  assert.equal(await third.locator(".app").getAttribute("data-playing"), "false");
  assert.equal(await third.locator(".app").getAttribute("data-now"), "0");
  assert.ok(await third.locator(".timebar").count(), "controls shown");
  await frames.nth(2).scrollIntoViewIfNeeded();
  await third.locator(".app[data-playing='true']").waitFor();
  // And the first, now off screen, stopped.
  await first.locator(".app[data-playing='false']").waitFor();
  // A view takes keys once clicked.
  await frames.nth(2).click();
  assert.deepEqual(errors, []);
  await page.close();
});
