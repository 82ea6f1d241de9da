// §6 membership changes on the page, driven through the accessible mirror: "+ server" starts
// S6, which joins as a non-voting member and then votes; the leader removes itself from the
// server details, steps down (drawn as removed while it still runs), the others elect a new
// leader, and once crashed (shut down) S1 leaves the ring. When the ring changes, the servers
// slide to their new places over 30 ms of simulated time (frozen while paused, so the test
// reads the picture at chosen instants, not at wall-clock moments), unless motion is reduced.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServedApp, openPage } from "./harness.mjs";

const app = useServedApp();

function labels(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll(".mirror [aria-label^='Server ']")].map((e) => e.getAttribute("aria-label")),
  );
}

async function waitForLabel(page, pattern, timeout = 15000) {
  const handle = await page.waitForFunction(
    (source) => {
      const re = new RegExp(source);
      return [...document.querySelectorAll(".mirror [aria-label^='Server ']")]
        .map((e) => e.getAttribute("aria-label"))
        .find((l) => re.test(l));
    },
    pattern.source,
    { timeout, polling: 50 },
  );
  return handle.jsonValue();
}

test("a server is added (non-voting, then a voter) and the leader removes itself", async () => {
  const { page, errors } = await openPage(app.browser, `${app.server.url}?seed=7&speed=1&paused`);
  await page.getByRole("button", { name: "Play" }).waitFor();
  await page.locator(".mirror").getByRole("button", { name: /^Server 1, / }).press("Enter");
  await page.getByRole("button", { name: "Force timeout" }).click();
  await page.getByRole("button", { name: "Play" }).click();
  await waitForLabel(page, /^Server 1, leader, term \d+$/);

  await page.getByRole("button", { name: "+ server" }).click();
  // S6 appears on the ring as a non-voting member, then becomes a voter once caught up.
  const joining = await waitForLabel(page, /^Server 6, /);
  assert.match(joining, /^Server 6, (non-voting follower|follower), term \d+$/);
  await waitForLabel(page, /^Server 6, follower, term \d+$/);

  await page.locator(".mirror").getByRole("button", { name: /^Server 1, leader/ }).press("Enter");
  await page.getByRole("button", { name: "Remove from cluster" }).click();
  // A new leader among the others; S1 still runs, out of the configuration, until shut down.
  const leader = await waitForLabel(page, /^Server [2-6], leader, term \d+$/);
  assert.ok(!leader.startsWith("Server 1,"), leader);
  await waitForLabel(page, /^Server 1, follower, term \d+, removed$/);
  await page.locator(".mirror").getByRole("button", { name: /^Server 1, / }).press("Enter");
  await page.getByRole("button", { name: "Crash", exact: true }).click();
  // Shut down, S1 leaves the ring.
  await page.waitForFunction(
    () =>
      ![...document.querySelectorAll(".mirror [aria-label^='Server ']")].some((e) =>
        e.getAttribute("aria-label").startsWith("Server 1,"),
      ),
    null,
    { timeout: 15000, polling: 50 },
  );
  const shown = await labels(page);
  assert.equal(shown.length, 5, shown.join("; "));
  assert.deepEqual(errors, []);
});

/** Makes S1 the leader (start paused, force its timeout, play until it leads), then pauses. */
async function pausedWithS1Leading(page) {
  await page.getByRole("button", { name: "Play" }).waitFor();
  await page.locator(".mirror").getByRole("button", { name: /^Server 1, / }).press("Enter");
  await page.getByRole("button", { name: "Force timeout" }).click();
  await page.keyboard.press("Escape"); // S1's details close (their "Pause" pauses S1)
  await page.getByRole("button", { name: "Play" }).click();
  await waitForLabel(page, /^Server 1, leader, term \d+$/);
  await page.getByRole("button", { name: "Pause" }).click();
}

async function simNow(page) {
  return +(await page.locator(".app").getAttribute("data-now"));
}

/**
 * Where the picture draws each server, by number: [x, y, drawn radius] in CSS pixels, read
 * with the canvas's `whereIs` once the frame after the page's last state has been drawn.
 */
async function places(page) {
  await page.evaluate(() => new Promise((drawn) => requestAnimationFrame(() => requestAnimationFrame(drawn))));
  return page.evaluate(() => {
    const canvas = document.querySelector(".picture canvas");
    const out = {};
    for (const e of document.querySelectorAll(".mirror [aria-label^='Server ']")) {
      const name = e.getAttribute("aria-label");
      out[name.match(/^Server (\d+),/)[1]] = canvas.whereIs(name);
    }
    return out;
  });
}

const apart = (a, b) => Math.hypot(a[0] - b[0], a[1] - b[1]);

test("a joining server fades in while the others slide along the ring, in simulated time", async () => {
  const { page, errors } = await openPage(app.browser, `${app.server.url}?seed=7&speed=1&paused`);
  await pausedWithS1Leading(page);
  const before = await places(page);
  assert.deepEqual(Object.keys(before), ["1", "2", "3", "4", "5"]);

  await page.getByRole("button", { name: "+ server" }).click();
  await waitForLabel(page, /^Server 6, /); // named in the mirror at once
  const t0 = await simNow(page);
  // Paused at the instant of the change: the five have not moved yet, S6 is drawn small.
  const start = await places(page);
  for (const id of ["1", "2", "3", "4", "5"]) assert.ok(apart(start[id], before[id]) < 0.5, `S${id} waits`);
  assert.ok(start["6"][2] < 0.7 * start["1"][2], `S6 starts small: ${start["6"]} vs ${start["1"]}`);

  // Step event by event to at least 5 ms after the change. The leader's first AppendEntries
  // to S6 arrives within one trip (10–20 ms), so this stops inside the 30 ms slide.
  for (let i = 0; i < 50 && (await simNow(page)) < t0 + 5000; i++) {
    const t = await simNow(page);
    await page.getByRole("button", { name: "Step to next event" }).click();
    await page.waitForFunction((t) => +document.querySelector(".app").dataset.now > t, t);
  }
  const t1 = await simNow(page);
  assert.ok(t1 >= t0 + 5000 && t1 < t0 + 30000, `mid-way: ${t1 - t0} µs after the change`);
  const middle = await places(page);

  // Play on past the slide (at 1x, 30 ms take two frames), then pause again.
  await page.getByRole("button", { name: "Play" }).click();
  await page.waitForFunction((t) => +document.querySelector(".app").dataset.now > t, t0 + 60000);
  await page.getByRole("button", { name: "Pause" }).click();
  const end = await places(page);
  for (const id of ["2", "3", "4", "5"]) {
    assert.ok(apart(before[id], end[id]) > 3, `S${id} has a new place on a ring of six`);
    // Caught between its old place and its new one: it slides, it does not jump.
    assert.ok(apart(before[id], middle[id]) > 0.5 && apart(middle[id], end[id]) > 0.5, `S${id} mid-way`);
  }
  assert.ok(Math.abs(end["6"][2] - end["1"][2]) < 0.5, "S6 has grown to full size");
  assert.deepEqual(errors, []);
  await page.close();
});

test("with reduced motion a joining server and the ring's new places show at once", async () => {
  const { page, errors } = await openPage(app.browser, "about:blank");
  await page.emulateMedia({ reducedMotion: "reduce" });
  await page.goto(`${app.server.url}?seed=7&speed=1&paused`);
  await pausedWithS1Leading(page);
  const before = await places(page);
  await page.getByRole("button", { name: "+ server" }).click();
  await waitForLabel(page, /^Server 6, /);
  // Still paused at the instant of the change, yet everything is already where it goes.
  const now = await places(page);
  assert.ok(apart(before["5"], now["5"]) > 3, "S5 jumped to its place on a ring of six");
  assert.ok(Math.abs(now["6"][2] - now["1"][2]) < 0.5, "S6 drawn full size at once");
  assert.deepEqual(errors, []);
  await page.close();
});
