// The app shell loads from the release build, renders, and a panic is never silent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServedApp, openPage, screenshot } from "./harness.mjs";

const app = useServedApp();

test("the release build renders the app shell with no console error", async () => {
  const { page, errors } = await openPage(app.browser, app.server.url);
  await page.getByRole("heading", { name: "Raft Explorer" }).waitFor();
  assert.ok(await page.getByRole("main", { name: "Cluster" }).isVisible());
  assert.match(await page.locator("footer").innerText(), /Raft Explorer v\d+\.\d+\.\d+/);
  assert.equal(await page.locator("#boot").count(), 0, "the loading note is removed once Rust runs");
  await screenshot(page, "shell");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a Rust panic shows a visible error banner with a reload action and logs to the console", async () => {
  const { page, errors } = await openPage(app.browser, `${app.server.url}?debug_panic`);
  const banner = page.getByRole("alert");
  await banner.waitFor();
  assert.match(await banner.innerText(), /stopped working/);
  assert.match(await banner.innerText(), /deliberate panic requested/);
  assert.ok(
    errors.some((e) => e.includes("deliberate panic requested")),
    `the panic is logged to the console: ${JSON.stringify(errors)}`,
  );
  // The reload action really reloads: the page navigates again (and, here, panics again).
  const reloaded = page.waitForEvent("load");
  await banner.getByRole("button", { name: "Reload" }).click();
  await reloaded;
  await page.getByRole("alert").waitFor();
  await page.close();
});

test("a broken link gets a clear message and the page still runs with its defaults", async () => {
  const { page, errors } = await openPage(
    app.browser,
    `${app.server.url}?seed=abc&servers=12&speed=fast&preset=nope&zzz=1`,
  );
  const notice = page.getByRole("status").filter({ hasText: "not understood" });
  await notice.waitFor();
  const text = await notice.innerText();
  for (const part of ['seed="abc" should be a whole number', 'servers="12" should be a number from 1 to 9',
    'speed="fast" should be a positive number', 'there is no preset "nope"', 'unknown option "zzz"']) {
    assert.ok(text.includes(part), `the notice names ${part}: ${text}`);
  }
  // The defaults (five servers) run and elect a leader.
  await page.getByRole("button", { name: /^Server \d, leader, term \d+$/ }).waitFor({ timeout: 20000 });
  assert.equal(await page.getByRole("button", { name: /^Server \d, / }).count(), 5);
  assert.deepEqual(errors, []);
  await page.close();
});
