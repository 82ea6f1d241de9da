// What a student, a lecturer and a blogger hit, checked as they would meet it: the ring and
// every log in one view at laptop and desktop sizes, keys acting on the focused control, a
// legend true to the picture, no critical or serious accessibility fault (axe-core), acting in
// the past said before it is done (and undoable), overlong commands refused, plurals.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { createRequire } from "node:module";
import { useServedApp, openPage, screenshot } from "./harness.mjs";

const app = useServedApp();
const toolsDir = process.env.TOOLS_DIR || path.join(process.env.HOME, ".cache/raft-explorer/tools");
const axePath = createRequire(path.join(toolsDir, "package.json")).resolve("axe-core/axe.min.js");

/** The picture's box (the picture fills it, whatever draws it). */
const PICTURE = ".picture";
const SERVERS = "[aria-label^='Server ']";

async function waitForLeader(page, timeout = 20000) {
  await page.waitForFunction(
    (sel) => [...document.querySelectorAll(sel)].some((e) => /^Server \d, leader, term \d+$/.test(e.getAttribute("aria-label"))),
    SERVERS,
    { timeout, polling: 50 },
  );
}

/**
 * Where the canvas drew each server, in the window's coordinates: the picture's accessible
 * mirror names them, the canvas's `whereIs(name)` says where each is drawn.
 */
async function serversDrawn(page) {
  const handle = await page.waitForFunction((sel) => {
    const canvas = document.querySelector(".picture canvas");
    const at = [...document.querySelectorAll(sel)].map((e) => canvas.whereIs(e.getAttribute("aria-label")));
    return at.every(Boolean) ? at : null;
  }, SERVERS);
  return handle.jsonValue();
}

/** Clicks the `nth` server where the canvas drew it, as a user aims. */
async function clickServer(page, nth) {
  const [x, y] = (await serversDrawn(page))[nth];
  await page.mouse.click(x, y);
}

async function simNow(page) {
  return +(await page.locator(".app").getAttribute("data-now"));
}

/** Whether the element's box lies wholly inside the window. */
async function inViewport(locator) {
  const box = await locator.boundingBox();
  const size = locator.page().viewportSize();
  return box !== null && box.x >= 0 && box.y >= 0 && box.x + box.width <= size.width + 0.5 && box.y + box.height <= size.height + 0.5;
}

for (const [width, height, servers] of [[1280, 800, 5], [1920, 1080, 5], [1280, 800, 9]]) {
  test(`at ${width}×${height} the ring and all ${servers} logs are in view at once, without scrolling`, async () => {
    const { page, errors } = await openPage(app.browser, `${app.server.url}?seed=4&speed=1&servers=${servers}`, { width, height });
    await waitForLeader(page);
    await page.keyboard.press("c"); // entries in the logs
    await page.getByRole("row", { name: "Log of S1" }).getByRole("cell", { name: /SET x 1 .*, committed/ }).waitFor({ timeout: 15000 });
    assert.equal(await page.evaluate(() => window.scrollY), 0);
    const picture = page.locator(PICTURE);
    assert.ok(await inViewport(picture), "the picture is in view");
    const side = (await picture.boundingBox()).width;
    assert.ok(side >= 0.3 * Math.min(width, height), `the picture is a good size (${side} px)`);
    const drawn = await serversDrawn(page);
    assert.equal(drawn.length, servers);
    for (const [x, y] of drawn) assert.ok(x >= 0 && y >= 0 && x <= width && y <= height, `every server is in view (${x}, ${y})`);
    for (let id = 1; id <= servers; id++) {
      assert.ok(await inViewport(page.getByRole("row", { name: `Log of S${id}` })), `the log of S${id} is in view`);
    }
    // The newest entries and the commit index (each row's end) are not scrolled away sideways.
    const overflow = await page.locator(".ltable").evaluate((t) => t.scrollWidth - t.clientWidth);
    assert.ok(overflow <= 1, `the log table needs no sideways scrolling (${overflow} px)`);
    // The timeline uses the width.
    const timeline = await page.getByRole("slider", { name: "Timeline" }).boundingBox();
    assert.ok(timeline.width >= 300, `the timeline is ${timeline.width} px wide`);
    await screenshot(page, `layout-${width}x${height}-${servers}`);
    // Page Down does not take the picture away.
    const before = await picture.boundingBox();
    await page.locator("h1").click();
    await page.keyboard.press("PageDown");
    await page.waitForTimeout(200);
    assert.deepEqual(await picture.boundingBox(), before, "the picture stays put after Page Down");
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test("keys act on the focused slider: arrows move it, not time; one step is a sensible step, down to 1/1000×", async () => {
  const { page, errors } = await openPage(app.browser, `${app.server.url}?seed=2&speed=1&paused`);
  await page.getByRole("button", { name: "Step to next event" }).click();
  const speed = page.getByRole("slider", { name: "Speed" });
  const label = page.locator(".speed output");
  assert.equal(await label.innerText(), "1×");
  const t0 = await simNow(page);
  await speed.focus();
  await page.keyboard.press("ArrowLeft");
  assert.equal(await label.innerText(), "1/2×", "one arrow: one step of the ladder");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  assert.equal(await label.innerText(), "2×");
  assert.equal(await simNow(page), t0, "the arrows did not travel in time");
  await page.keyboard.press("Home");
  assert.equal(await label.innerText(), "1/1000×", "as slow as RaftScope");
  await page.keyboard.press("End");
  assert.equal(await label.innerText(), "10×");
  // + and − step along the same ladder; unfocused ← / → travel in time.
  await page.locator("h1").click();
  await page.keyboard.press("-");
  assert.equal(await label.innerText(), "5×");
  await page.keyboard.press("ArrowLeft");
  await page.waitForFunction((t0) => +document.querySelector(".app").dataset.now !== t0, t0);
  // On the timeline itself ← / → travel 100 ms, not one millisecond.
  await page.getByRole("button", { name: "Play" }).click();
  await page.waitForFunction(() => +document.querySelector(".app").dataset.now > 400000);
  await page.getByRole("button", { name: "Pause" }).click();
  const t1 = await simNow(page);
  await page.getByRole("slider", { name: "Timeline" }).focus();
  await page.keyboard.press("ArrowLeft");
  await page.waitForFunction((t1) => +document.querySelector(".app").dataset.now === t1 - 100000, t1);
  assert.deepEqual(errors, []);
  await page.close();
});

test("arrowing through the servers picker restarts nothing until Enter", async () => {
  const { page, errors } = await openPage(app.browser, `${app.server.url}?seed=2&speed=1`);
  await waitForLeader(page);
  const picker = page.getByRole("combobox", { name: "Number of servers" });
  await picker.focus();
  const t0 = await simNow(page);
  for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowDown");
  await page.waitForTimeout(300);
  assert.equal(await picker.inputValue(), "8", "the picker shows the choice");
  assert.equal(await page.locator(SERVERS).count(), 5, "still the same cluster");
  assert.ok((await simNow(page)) > t0, "its run goes on (a restart would start again from 0)");
  await page.getByText("Enter to apply").waitFor();
  await page.keyboard.press("Enter");
  await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 8, SERVERS);
  // Picked with the pointer, a choice applies at once.
  await picker.selectOption("3");
  await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 3, SERVERS);
  assert.deepEqual(errors, []);
  await page.close();
});

test("the help dialog keeps the focus until it closes, then gives it back", async () => {
  const { page, errors } = await openPage(app.browser, `${app.server.url}?seed=2&speed=1`);
  const opener = page.getByRole("button", { name: "Keyboard shortcuts" });
  await opener.focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await dialog.waitFor();
  const focusInDialog = () => page.evaluate(() => !!document.activeElement?.closest("[role='dialog']"));
  assert.ok(await focusInDialog(), "the dialog takes the focus");
  for (const key of ["Tab", "Tab", "Tab", "Shift+Tab", "Shift+Tab", "Shift+Tab", "Shift+Tab"]) {
    await page.keyboard.press(key);
    assert.ok(await focusInDialog(), `after ${key} the focus is still in the dialog`);
  }
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("aria-label")), "Keyboard shortcuts", "the focus is back on the button that opened it");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the legends explain what is drawn: no ★ in the picture's legend, and the log glyphs", async () => {
  const { page, errors } = await openPage(app.browser, `${app.server.url}?seed=2&speed=1`);
  await waitForLeader(page);
  const legends = await page.locator(".msg-legend").allInnerTexts();
  assert.ok(legends.length > 0);
  for (const text of legends) assert.doesNotMatch(text, /★/, "the picture draws no star");
  assert.match(legends.join(" "), /leader/);
  assert.match(legends.join(" "), /candidate/);
  assert.match(legends.join(" "), /crashed/);
  const logLegend = await page.locator(".logs .legend").innerText();
  for (const [glyph, word] of [["★", "leader"], ["?", "candidate"], ["·", "follower"], ["✕", "crashed"]]) {
    assert.ok(logLegend.includes(`${glyph} ${word}`), `the log legend explains ${glyph}: ${logLegend}`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

/** Runs axe-core on the whole page; returns its critical and serious violations. */
async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) await page.addScriptTag({ path: axePath });
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "critical" || v.impact === "serious")
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
      }));
  });
}

for (const theme of ["light", "dark"]) {
  test(`axe-core finds no critical or serious violation (${theme} theme)`, async () => {
    const { page, errors } = await openPage(app.browser, `${app.server.url}?seed=3&speed=1`);
    await waitForLeader(page);
    if (theme === "dark") await page.getByRole("button", { name: "Dark theme" }).click();
    await page.keyboard.press("c");
    await page.getByRole("row", { name: "Log of S1" }).getByRole("cell", { name: /SET x 1 .*, committed/ }).waitFor({ timeout: 15000 });
    // A server selected (its details and actions shown), then paused: a still page to check.
    await clickServer(page, 0);
    await page.getByRole("button", { name: "Pause", exact: true }).first().waitFor();
    await page.locator(".timebar").getByRole("button", { name: "Pause" }).click();
    const found = await axeViolations(page);
    assert.deepEqual(found, [], `axe violations:\n${JSON.stringify(found, null, 2)}`);
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test("reduced motion: the page turns transitions and animations off", async () => {
  const { page, errors } = await openPage(app.browser, `${app.server.url}?seed=2&speed=1`);
  await page.emulateMedia({ reducedMotion: "reduce" });
  const style = await page.locator("button").first().evaluate((b) => {
    const s = getComputedStyle(b);
    return { transition: s.transitionDuration, animation: s.animationName };
  });
  assert.deepEqual(style, { transition: "0s", animation: "none" });
  assert.deepEqual(errors, []);
  await page.close();
});

test("acting in the past says first what it discards, and can be undone", async () => {
  const { page, errors } = await openPage(app.browser, `${app.server.url}?seed=5&speed=2`);
  await waitForLeader(page);
  await page.waitForFunction(() => +document.querySelector(".app").dataset.now > 3000000);
  await page.getByRole("button", { name: "Pause" }).click();
  const timeline = page.getByRole("slider", { name: "Timeline" });
  const end = await timeline.getAttribute("max");
  assert.equal(await page.locator(".app").getAttribute("data-past"), "false");
  await timeline.fill("1500");
  await page.waitForFunction(() => +document.querySelector(".app").dataset.now === 1500000);
  // Before anything is done: the picture is marked as the past, and the notice says what
  // acting here would discard.
  assert.equal(await page.locator(".app").getAttribute("data-past"), "true");
  const past = page.getByRole("status").filter({ hasText: "Viewing the past" });
  await past.waitFor();
  const discards = (+end / 1000 - 1.5).toFixed(1);
  assert.match(await past.innerText(), new RegExp(`discards the ${discards.replace(".", "\\.")} s recorded after this moment`));
  await screenshot(page, "viewing-the-past");
  // Acting there: said, and undoable.
  await clickServer(page, 1);
  await page.getByRole("button", { name: "Crash", exact: true }).click();
  await page.getByText(`Your action at 1.5 s discarded the ${discards} s of run recorded after it`).waitFor();
  assert.equal(await timeline.getAttribute("max"), "1500", "the run now ends where the action was");
  assert.equal(await page.locator(".app").getAttribute("data-past"), "false");
  await page.getByRole("button", { name: /^Server 2, crashed, / }).waitFor();
  await page.getByRole("button", { name: "Undo" }).click();
  await page.getByRole("button", { name: /^Server 2, (follower|candidate|leader), / }).waitFor();
  assert.equal(await timeline.getAttribute("max"), end, "the recorded run is back whole");
  await past.waitFor();
  // Back to the present: the end of the recorded run.
  await page.getByRole("button", { name: "Back to the present" }).click();
  await page.waitForFunction((end) => Math.floor(+document.querySelector(".app").dataset.now / 1000) === +end, end);
  assert.equal(await page.locator(".app").getAttribute("data-past"), "false");
  assert.deepEqual(errors, []);
  await page.close();
});

test("an overlong command is refused inline, and counts are in the right number", async () => {
  const { page, errors } = await openPage(app.browser, `${app.server.url}?seed=1&speed=1`);
  await waitForLeader(page);
  const box = page.getByRole("textbox", { name: "Command", exact: true });
  await box.fill(`SET x ${"9".repeat(10000)}`);
  const clients = page.getByRole("region", { name: "Clients" });
  await clients.getByRole("alert").getByText(/too long: a command is at most \d+ characters \(this one has 10006\)/).waitFor();
  assert.equal(await box.getAttribute("aria-invalid"), "true");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await page.waitForTimeout(300);
  assert.equal(await page.getByRole("list", { name: "Client history" }).count(), 0, "nothing was sent");
  await box.fill("SET x 5");
  assert.equal(await box.getAttribute("aria-invalid"), "false");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await page.getByLabel("Linearizability verdict").getByText("✓ Linearizable (1 operation)").waitFor({ timeout: 15000 });
  assert.equal(await page.getByRole("combobox", { name: "Number of servers" }).locator("option").first().innerText(), "1 server");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a theme chosen against the system's: palette, native controls and scrollbars follow the choice", async () => {
  for (const [system, button, chosen] of [["dark", "Light theme", "light"], ["light", "Dark theme", "dark"]]) {
    const page = await app.browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: system });
    await page.goto(app.server.url);
    await waitForLeader(page);
    await page.getByRole("button", { name: button }).click();
    await page.waitForFunction((chosen) => document.querySelector(".app").dataset.theme === chosen, chosen);
    const look = await page.evaluate(() => {
      const style = getComputedStyle(document.querySelector(".app"));
      const [r, g, b] = style.backgroundColor.match(/\d+/g).map(Number);
      return { scheme: style.colorScheme, light: r + g + b > 3 * 128 };
    });
    assert.equal(look.scheme, chosen, `system ${system}: color-scheme`);
    assert.equal(look.light, chosen === "light", `system ${system}: the app's background is ${chosen}`);
    await page.close();
  }
});
