// Guided tours in the page, on the real simulator: every shipped tour walked to its end by
// Next and by doing what its steps ask, Back back to exactly the state a step had, a hint for
// a wrong action, the "show me" run of every break-Raft switch ending in the violation banner,
// and clear messages (with a working page) for a missing, foreign or malformed `?tour=`.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { useServedApp, openPage, screenshot, repoRoot } from "./harness.mjs";

const app = useServedApp();

const TOUR_DIR = path.join(repoRoot, "static/tours");
const ALL = fs
  .readdirSync(TOUR_DIR)
  .filter((f) => f.endsWith(".json"))
  .map((f) => f.replace(/\.json$/, ""))
  .sort();
const COURSE = ALL.filter((id) => !id.startsWith("show_"));
const tourFile = (id) => JSON.parse(fs.readFileSync(path.join(TOUR_DIR, `${id}.json`), "utf8"));

/** The tour panel's "step K of N", as numbers. */
async function progress(page) {
  const text = await page.locator(".tour-progress").innerText();
  const m = text.match(/step (\d+) of (\d+)/);
  assert.ok(m, text);
  return { step: +m[1], of: +m[2] };
}

async function waitForStep(page, k, of) {
  await page.getByText(`step ${k} of ${of}`, { exact: true }).waitFor({ timeout: 15000 });
}

/** Waits until the step's run is over: time holds still for the reader. */
async function waitForRunOver(page) {
  await page.waitForFunction(() => document.querySelector(".app")?.dataset.playing === "false", null, {
    timeout: 20000,
  });
}

/** Moves the mouse off the picture: over a message, time holds still (to catch it), and a
 * panel that grows can bring the picture under a pointer left where a button was. */
async function awayFromPicture(page) {
  await page.mouse.move(1, 1);
}

async function openTour(page, id) {
  await page.getByRole("heading", { name: "Guided tours" }).waitFor();
  const name = tourFile(id).name;
  await page.getByRole("button", { name, exact: true }).click();
  await awayFromPicture(page);
  await waitForStep(page, 1, tourFile(id).tour.length);
}

/** The server the picture's mirror names leader (the live one of the highest term). */
async function leaderId(page) {
  return page.evaluate(() => {
    const leaders = [...document.querySelectorAll(".mirror [aria-label^='Server ']")]
      .map((e) => e.getAttribute("aria-label").match(/^Server (\d), leader, term (\d+)$/))
      .filter(Boolean)
      .sort((a, b) => b[2] - a[2]);
    return leaders.length ? +leaders[0][1] : null;
  });
}

/** Does what a step's `wait` asks, through the page's controls, as a reader would. */
async function doAsked(page, wait) {
  const server = async (name) => (name === "leader" ? await leaderId(page) : +name.slice(1));
  switch (wait.action) {
    case "crash": {
      const id = await server(wait.server);
      assert.ok(id, "there is a server to crash");
      await page.getByRole("button", { name: new RegExp(`^Server ${id}, `) }).press("Enter");
      await page.getByRole("button", { name: "Crash", exact: true }).click();
      break;
    }
    case "restart": {
      const id = await server(wait.server);
      await page.getByRole("button", { name: new RegExp(`^Server ${id}, crashed, `) }).press("Enter");
      await page.getByRole("button", { name: "Restart", exact: true }).click();
      break;
    }
    case "client_request": {
      await page.getByRole("textbox", { name: "Command", exact: true }).fill(wait.command);
      const target = wait.server ? String(await server(wait.server)) : "";
      await page.getByRole("combobox", { name: "Send to" }).selectOption(target);
      await page.getByRole("button", { name: "Send", exact: true }).click();
      break;
    }
    case "heal":
      await page.getByRole("button", { name: "Heal", exact: true }).click();
      break;
    case "resume":
    case "timeout": {
      const id = await server(wait.server);
      assert.ok(id, `there is a server to ${wait.action}`);
      await page.getByRole("button", { name: new RegExp(`^Server ${id}, `) }).press("Enter");
      const button = wait.action === "resume" ? "Resume" : "Force timeout";
      await page.getByRole("button", { name: button, exact: true }).click();
      break;
    }
    default:
      throw new Error(`the test cannot do ${wait.action} yet`);
  }
  await awayFromPicture(page);
}

for (const id of COURSE) {
  test(`tour ${id}: walked to its end by Next`, async () => {
    const { page, errors } = await openPage(app.browser, `${app.server.url}?speed=10`);
    await openTour(page, id);
    const of = tourFile(id).tour.length;
    for (let k = 1; k < of; k++) {
      assert.deepEqual(await progress(page), { step: k, of });
      if (id === "log_replication" && k === 3) {
        // The step spotlights S1's new entry: in the logs, the other entries dim.
        await waitForRunOver(page);
        const cells = await page.locator(".ltable .lcell.entry").evaluateAll((cs) =>
          cs.map((c) => `${c.closest("[role='row']").getAttribute("aria-label")} ${c.getAttribute("aria-label")} ${c.classList.contains("dim")}`),
        );
        assert.ok(cells.includes("Log of S1 index 1, term 1: SET x 1 (C1 #1), not committed false"), cells.join("\n"));
        const others = cells.filter((c) => !c.startsWith("Log of S1 "));
        assert.ok(others.every((c) => c.endsWith(" true")), cells.join("\n"));
      }
      if (id === "log_replication" && k === 4) {
        await waitForRunOver(page);
        await screenshot(page, "tour-step");
      }
      await page.getByRole("button", { name: "Next →" }).click();
      await awayFromPicture(page);
      await waitForStep(page, k + 1, of);
    }
    await waitForRunOver(page);
    const before = await state(page);
    await page.getByRole("button", { name: "Finish" }).click();
    await page.getByText("Tour finished: the cluster is yours to explore.").waitFor();
    assert.equal(await page.locator(".tour").count(), 0, "the tour panel is gone");
    assert.deepEqual(await state(page), before, "the cluster stays where it is, as a sandbox");
    assert.deepEqual(errors, []);
  });

  test(`tour ${id}: walked to its end by doing what each step asks`, async () => {
    const { page, errors } = await openPage(app.browser, `${app.server.url}?speed=10`);
    await openTour(page, id);
    const steps = tourFile(id).tour;
    for (let k = 1; k < steps.length; k++) {
      await waitForRunOver(page);
      if (steps[k - 1].wait) {
        await page.locator(".tour-ask").waitFor();
        await doAsked(page, steps[k - 1].wait);
      } else {
        await page.keyboard.press(k % 2 ? "ArrowRight" : "PageDown");
      }
      await waitForStep(page, k + 1, steps.length);
    }
    assert.deepEqual(errors, []);
  });
}

/** Opens tour `id` at 10× and goes on to step `k` with `key` (a Next key). */
async function openTourAtStep(id, k, key) {
  const { page, errors } = await openPage(app.browser, `${app.server.url}?speed=10&tour=${id}`);
  const of = tourFile(id).tour.length;
  await waitForStep(page, 1, of);
  for (let i = 1; i < k; i++) {
    await page.keyboard.press(key);
    await waitForStep(page, i + 1, of);
  }
  return { page, errors, of };
}

test("a wrong action shows the step's hint and does not move on; the asked one does", async () => {
  const { page, errors, of } = await openTourAtStep("leader_election", 4, ".");
  await waitForRunOver(page);
  const leader = await leaderId(page);
  const follower = leader === 1 ? 2 : 1;
  await page.getByRole("button", { name: new RegExp(`^Server ${follower}, `) }).press("Enter");
  await page.getByRole("button", { name: "Crash", exact: true }).click();
  await page.locator(".tour-hint").getByText(/waits for the leader to crash/).waitFor();
  assert.deepEqual(await progress(page), { step: 4, of });
  await doAsked(page, { action: "crash", server: "leader" });
  await waitForStep(page, 5, of);
  assert.equal(await page.locator(".tour-hint").count(), 0, "the hint goes with its step");
  assert.deepEqual(errors, []);
});

/** What the page shows of the cluster, all of it from the simulated state. */
async function state(page) {
  await page.evaluate(() => new Promise((drawn) => requestAnimationFrame(() => requestAnimationFrame(drawn))));
  return page.evaluate(() => ({
    now: document.querySelector(".app").dataset.now,
    mirror: [...document.querySelectorAll(".mirror [aria-label]")].map((e) => e.getAttribute("aria-label")),
    logs: [...document.querySelectorAll(".ltable [role='cell']")].map((e) => e.getAttribute("aria-label") || ""),
    kv: [...document.querySelectorAll(".kvcard")].map((e) => e.textContent),
  }));
}

test("Back returns to exactly the state of the previous step", async () => {
  const { page, errors, of } = await openTourAtStep("log_replication", 3, "PageDown");
  await waitForRunOver(page);
  const step3 = await state(page);
  await page.keyboard.press("ArrowRight");
  await waitForStep(page, 4, of);
  await waitForRunOver(page);
  const step4 = await state(page);
  assert.notDeepEqual(step4, step3, "step 4 changed the cluster");
  await page.getByRole("button", { name: "← Back" }).click();
  await waitForStep(page, 3, of);
  await waitForRunOver(page);
  assert.deepEqual(await state(page), step3);
  await page.keyboard.press("PageUp");
  await waitForStep(page, 2, of);
  await page.keyboard.press("ArrowRight");
  await waitForStep(page, 3, of);
  await waitForRunOver(page);
  assert.deepEqual(await state(page), step3, "and Next from there gets the same again");
  assert.deepEqual(errors, []);
});

test("a Share link made at step 3 of a tour opens that tour at step 3, at the same time", async () => {
  const { page, errors, of } = await openTourAtStep("log_replication", 3, "PageDown");
  // Some way into step 3, then Share (which pauses).
  await page.waitForFunction(() => +document.querySelector(".app").dataset.now > 0);
  await page.waitForTimeout(300);
  await page.keyboard.press("s");
  const dialog = page.getByRole("dialog", { name: "Share this moment" });
  await dialog.waitFor();
  const link = await dialog.locator(".share-link").inputValue();
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
  const shared = await state(page);

  const { page: again, errors: errors2 } = await openPage(app.browser, link);
  await waitForStep(again, 3, of);
  await again.locator(".notice", { hasText: `the tour at step 3 of ${of}` }).waitFor();
  assert.equal(await again.locator(".app").getAttribute("data-playing"), "false", "paused there");
  assert.deepEqual(await state(again), shared, "same step, same time, same state");
  // Back from there goes to step 2, as in the tour itself.
  await again.keyboard.press("PageUp");
  await waitForStep(again, 2, of);
  assert.deepEqual([...errors, ...errors2], []);
  await page.close();
  await again.close();
});

for (const id of ALL.filter((id) => id.startsWith("show_"))) {
  const knob = id.slice("show_".length);
  test(`show me ${knob}: one click from its switch, the violation is announced`, async () => {
    const { page, errors } = await openPage(app.browser, `${app.server.url}?speed=10`);
    await page.getByText("⚠ Experiments: break Raft").click();
    const labels = await page.locator(".show-me").evaluateAll((bs) => bs.map((b) => b.getAttribute("aria-label")));
    // One Show me per switch, in the order of the Experiments panel (raft::Knobs::ALL).
    const index = [
      "forget_vote_on_restart", "commit_old_term_by_counting", "skip_election_restriction", "stale_local_reads",
      "read_without_confirmation", "unbounded_clock_drift", "install_snapshot_discards_following_entries",
      "switch_config_directly",
    ];
    assert.equal(labels.length, index.length);
    await page.locator(".show-me").nth(index.indexOf(knob)).click();
    await awayFromPicture(page);
    await page.getByText(tourFile(id).tour[0].title).waitFor();
    const banner = page.getByRole("alert").filter({ hasText: "violated" });
    await banner.waitFor({ timeout: 20000 });
    await waitForRunOver(page);
    const stoppedAt = +(await page.locator(".app").getAttribute("data-now"));
    const jump = banner.getByRole("button", { name: /^Jump to the cause/ });
    await jump.click();
    await page.waitForFunction((t) => +document.querySelector(".app").dataset.now <= t, stoppedAt);
    assert.ok(await page.locator(".experiments input:checked").count() >= 1, "its switch shows on");
    assert.deepEqual(errors, []);
  });
}

test("a missing, foreign or malformed ?tour= says what is wrong and the page still works", async () => {
  const cases = [
    ["no_such_tour", /The tour "no_such_tour" could not be opened: tours\/no_such_tour\.json could not be fetched \(HTTP 404\)/],
    ["https://example.com/t.json", /could not be opened: only a tour file on this site can be opened/],
    ["broken", /could not be opened: field "tour\[0\]": missing field `text`/],
    ["not_json", /could not be opened: not valid JSON/],
  ];
  for (const [source, message] of cases) {
    const page = await app.browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.route("**/tours/broken.json", (route) =>
      route.fulfill({ contentType: "application/json", body: '{"version":1,"name":"b","tour":[{"title":"t","section":"§1"}]}' }),
    );
    await page.route("**/tours/not_json.json", (route) => route.fulfill({ contentType: "text/html", body: "<p>hello</p>" }));
    await page.goto(`${app.server.url}?speed=10&tour=${encodeURIComponent(source).replace(/%2F/g, "/").replace(/%3A/g, ":")}`);
    await page.getByRole("status").filter({ hasText: message }).waitFor({ timeout: 15000 });
    // The page still runs as a sandbox: a leader is elected, the tours can still be opened.
    await page.waitForFunction(() =>
      [...document.querySelectorAll(".mirror [aria-label^='Server ']")].some((e) => / leader, /.test(e.getAttribute("aria-label"))),
    );
    await page.getByRole("heading", { name: "Guided tours" }).waitFor();
    assert.deepEqual(errors, [], source);
    await page.close();
  }
});
