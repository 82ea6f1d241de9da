// §6 membership changes on the page, driven through the accessible mirror: "+ server" starts
// S6, which joins as a non-voting member and then votes; the leader removes itself from the
// server details, steps down (drawn as removed while it still runs), the others elect a new
// leader, and once crashed (shut down) S1 leaves the ring.
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
