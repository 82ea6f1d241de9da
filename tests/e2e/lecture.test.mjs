// Lecture mode (issue 13) on a 1920×1080 projector: everything in the picture and the
// narration at least 1.5× as big, high contrast, a slower speed, the presenter remote's `b`
// pausing; and Step back one event (the reverse of Step, N): the previous event's exact time
// and state.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServedApp, openPage, snapshot } from "./harness.mjs";

const app = useServedApp();
const FULL_HD = { width: 1920, height: 1080 };

async function simNow(page) {
  return +(await page.locator(".app").getAttribute("data-now"));
}

/** Two animation frames: the picture has drawn the page's latest state. */
async function drawn(page) {
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}

/**
 * The state shown, without where the messages are drawn in CSS pixels: once back in the past
 * a bar says so above the picture, and the picture's box is a little smaller (their place
 * along their way follows from the time, compared exactly).
 */
async function shown(page) {
  const all = await snapshot(page);
  return { ...all, messages: all.messages.map((m) => m.replace(/ at \d+,\d+$/, "")) };
}

/** What a reader at the back of the hall sees: a server's drawn radius and text sizes (px). */
async function sizes(page) {
  await drawn(page);
  return page.evaluate(() => {
    const canvas = document.querySelector(".picture canvas");
    const server = document.querySelector(".mirror [aria-label^='Server 1,']").getAttribute("aria-label");
    const px = (selector) => parseFloat(getComputedStyle(document.querySelector(selector)).fontSize);
    return { server: canvas.whereIs(server)[2], caption: px(".caption"), leaderLine: px(".leader-line") };
  });
}

test("lecture mode (M) draws the picture and the narration at least 1.5× as big, in high contrast, slower", async () => {
  const { page, errors } = await openPage(app.browser, `${app.server.url}?preset=leader_crash&paused`, FULL_HD);
  await page.locator(".caption").waitFor();
  const before = await sizes(page);
  assert.ok(before.server > 10, JSON.stringify(before));
  await page.keyboard.press("m");
  await page.locator(".app.lecture").waitFor();
  const after = await sizes(page);
  for (const what of ["server", "caption", "leaderLine"]) {
    assert.ok(after[what] >= 1.5 * before[what] - 0.01, `${what}: ${before[what]} → ${after[what]}`);
  }
  // High contrast: no faint grey text; a slower speed.
  const colours = await page.evaluate(() => {
    const style = getComputedStyle(document.querySelector(".app"));
    return [style.getPropertyValue("--muted").trim(), style.getPropertyValue("--text").trim()];
  });
  assert.equal(colours[0], colours[1]);
  assert.equal(await page.locator(".speed output").first().innerText(), "1/50×");
  // The toggle button says it is on; M again turns it off, back to the normal sizes.
  assert.equal(await page.getByRole("button", { name: "Lecture" }).getAttribute("aria-pressed"), "true");
  await page.keyboard.press("m");
  await page.locator(".app:not(.lecture)").waitFor();
  assert.deepEqual(await sizes(page), before);
  assert.deepEqual(errors, []);
  await page.close();
});

test("?lecture opens in lecture mode and says so; a remote's keys pause (b) and step (PageDown, PageUp)", async () => {
  const { page, errors } = await openPage(app.browser, `${app.server.url}?lecture&seed=4`, FULL_HD);
  await page.locator(".app.lecture").waitFor();
  await page.locator(".notice", { hasText: "lecture mode" }).waitFor();
  assert.equal(await page.locator(".app").getAttribute("data-playing"), "true");
  await page.keyboard.press("b");
  await page.locator(".app[data-playing='false']").waitFor();
  // Outside a tour the remote's PageDown and PageUp step one event forward and back.
  const paused = await simNow(page);
  await page.keyboard.press("PageDown");
  await page.waitForFunction((t) => +document.querySelector(".app").dataset.now > t, paused);
  const stepped = await simNow(page);
  await page.keyboard.press("PageUp");
  await page.waitForFunction((t) => +document.querySelector(".app").dataset.now < t, stepped);
  await page.keyboard.press("b");
  await page.locator(".app[data-playing='true']").waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test("Step back (,) is the reverse of Step (N): the previous event's exact time and state", async () => {
  const { page, errors } = await openPage(app.browser, `${app.server.url}?seed=7&paused`);
  await page.locator(".mirror [aria-label^='Server 1,']").waitFor();
  // Past the first election, where every event changes something.
  const states = [];
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press("n");
    await drawn(page);
    states.push({ now: await simNow(page), shown: await shown(page) });
  }
  assert.ok(states[11].now > states[0].now, "time moved");
  for (let i = 10; i >= 6; i--) {
    await page.keyboard.press(",");
    await page.waitForFunction((t) => +document.querySelector(".app").dataset.now === t, states[i].now);
    assert.deepEqual(await shown(page), states[i].shown, `back to event ${i}`);
  }
  // The button does the same, and Step goes forward again to the same event.
  await page.getByRole("button", { name: "Step back one event" }).click();
  await page.waitForFunction((t) => +document.querySelector(".app").dataset.now === t, states[5].now);
  await page.keyboard.press("n");
  await page.waitForFunction((t) => +document.querySelector(".app").dataset.now === t, states[6].now);
  assert.deepEqual(await shown(page), states[6].shown);
  assert.deepEqual(errors, []);
  await page.close();
});
