// Raft beyond Figure 2 in the page (issue 14), driven through the Raft options panel, the
// server details and the picture's accessible mirror: a read under ReadIndex is answered with
// no log entry after its heartbeat round, PreVote keeps a cut-off server's term, CheckQuorum
// makes an isolated leader step down, a snapshot threshold compacts the logs (and a bad one
// is refused inline), leadership moves on request, and Share links and exported scenarios
// carry the options.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServedApp, openPage, snapshot } from "./harness.mjs";

const app = useServedApp();

/** The mirror's names (servers, messages, reads, client traffic). */
async function mirrorNames(page) {
  return page.evaluate(() => [...document.querySelectorAll(".mirror [aria-label]")].map((e) => e.getAttribute("aria-label")));
}

/** Waits for a mirror name matching `pattern` (checked every frame: messages are brief). */
async function waitForName(page, pattern, timeout = 15000) {
  const handle = await page.waitForFunction(
    (source) => {
      const re = new RegExp(source);
      return [...document.querySelectorAll(".mirror [aria-label]")].map((e) => e.getAttribute("aria-label")).find((n) => re.test(n)) || null;
    },
    pattern.source,
    { timeout, polling: "raf" },
  );
  return handle.jsonValue();
}

async function simNow(page) {
  return +(await page.locator(".app").getAttribute("data-now"));
}

/** Runs the simulation until `ms` of simulated time have passed. */
async function runFor(page, ms) {
  const t0 = await simNow(page);
  await page.waitForFunction((t) => +document.querySelector(".app").dataset.now >= t, t0 + ms * 1000, { timeout: 30000 });
}

const server = (page, id) => page.getByRole("button", { name: new RegExp(`^Server ${id}, `) });
const options = (page) => page.getByRole("region", { name: "Raft options" });

/** The picture's legends, as text. */
async function legend(page) {
  return (await page.locator(".msg-legend").allInnerTexts()).join(" ");
}

/** Sets an option and waits for the page to say the run restarted with it. */
async function setOption(page, act, said) {
  await act(options(page));
  await page.locator(".notice", { hasText: `${said}: the run restarted from time 0 with it (same seed).` }).waitFor();
  assert.ok((await simNow(page)) < 100000, "the run restarted");
}

/** From a paused page: S1 times out first and wins; plays on. */
async function s1Leads(page) {
  await server(page, 1).press("Enter");
  await page.getByRole("button", { name: "Force timeout" }).click();
  await page.getByRole("button", { name: "Play" }).first().click();
  await page.getByRole("button", { name: /^Server 1, leader, term 1$/ }).waitFor({ timeout: 15000 });
}

async function send(page, command, to) {
  await page.getByRole("textbox", { name: "Command", exact: true }).fill(command);
  await page.getByRole("combobox", { name: "Send to" }).selectOption(to ? String(to) : "");
  await page.getByRole("button", { name: "Send", exact: true }).click();
}

test("read mode ReadIndex: a GET waits at the leader for one marked heartbeat round and is answered with no log entry", async () => {
  const { page, errors } = await openPage(app.browser, `${app.server.url}?seed=3&speed=0.25&paused`);
  assert.doesNotMatch(await legend(page), /R\?/, "the legend explains only what this run can draw");
  await setOption(page, (o) => o.getByRole("combobox", { name: "Read mode" }).selectOption("read_index"), "Reads: ReadIndex");
  assert.match(await legend(page), /R\?\s*R✓ heartbeat a waiting read needs, its ack \(§8\)[\s\S]*R\? n by a leader: n reads waiting for their round/);
  await s1Leads(page);
  await send(page, "SET x 7", 1);
  await page.locator("[data-panel='2']").scrollIntoViewIfNeeded();
  await page.getByRole("list", { name: "Client history" }).getByText("→ ok").waitFor({ timeout: 15000 });
  await send(page, "GET x", 1);
  // The leader holds the read until a majority acknowledges its round; the round's
  // heartbeats are marked as such.
  await waitForName(page, /^S1 holds 1 read until a majority acknowledges heartbeat round \d+/);
  await waitForName(page, /^heartbeat confirming leadership for a read S1 to S\d/);
  await page.getByRole("list", { name: "Client history" }).getByText("→ 7").waitFor({ timeout: 15000 });
  await page.locator("[data-panel='0']").scrollIntoViewIfNeeded();
  const cells = await page.locator(".ltable [role='cell'][aria-label]").evaluateAll((cs) => cs.map((c) => c.getAttribute("aria-label")));
  assert.ok(cells.some((c) => /SET x 7/.test(c)), cells.join("\n"));
  assert.ok(!cells.some((c) => /GET x/.test(c)), `no log entry for the read:\n${cells.join("\n")}`);
  assert.equal(await options(page).getByRole("combobox", { name: "Read mode" }).inputValue(), "read_index");
  assert.deepEqual(errors, []);
  await page.close();
});

test("PreVote on: a cut-off follower asks first and keeps its term; off: its term climbs", async () => {
  const { page, errors } = await openPage(app.browser, `${app.server.url}?seed=3&speed=4&paused`);
  const cutOffS5 = async () => {
    const group = page.getByRole("combobox", { name: "Group of S5" });
    if (!(await group.isVisible())) await page.getByText("Custom partition, cut a link").click();
    await group.selectOption("1");
    await page.getByRole("button", { name: "Apply groups" }).click();
    await page.getByRole("region", { name: "Network" }).getByText("Partitioned {S1,S2,S3,S4} | {S5}").waitFor();
  };
  await setOption(page, (o) => o.getByRole("checkbox", { name: "PreVote" }).check(), "PreVote on");
  assert.ok(await options(page).getByRole("checkbox", { name: "PreVote" }).isChecked());
  assert.match(await legend(page), /PV PreVote \(could I win\?\)/);
  await s1Leads(page);
  await cutOffS5();
  await waitForName(page, /^PreVote S5 to S\d, term 2 \(#\d+\), will be lost$/);
  await runFor(page, 2000);
  const names = await mirrorNames(page);
  assert.ok(names.some((n) => /^Server 5, \w+, term 1$/.test(n)), `S5 never raised its term: ${names.join("; ")}`);

  await page.getByRole("button", { name: "Pause" }).first().click();
  await setOption(page, (o) => o.getByRole("checkbox", { name: "PreVote" }).uncheck(), "PreVote off");
  await s1Leads(page);
  await cutOffS5();
  await waitForName(page, /^Server 5, candidate, term [3-9]/, 20000);
  assert.deepEqual(errors, []);
  await page.close();
});

test("CheckQuorum on: a leader cut off from its majority steps down; off: it keeps leading", async () => {
  const { page, errors } = await openPage(app.browser, `${app.server.url}?seed=3&speed=4&paused`);
  await s1Leads(page);
  await page.getByRole("button", { name: "Isolate leader" }).click();
  await runFor(page, 1500);
  assert.ok((await mirrorNames(page)).includes("Server 1, leader, term 1"), "without CheckQuorum S1 still believes it leads");

  await page.getByRole("button", { name: "Pause" }).first().click();
  await setOption(page, (o) => o.getByRole("checkbox", { name: "CheckQuorum" }).check(), "CheckQuorum on");
  await s1Leads(page);
  await page.getByRole("button", { name: "Isolate leader" }).click();
  await waitForName(page, /^Server 1, follower, term 1$/, 20000);
  await page.getByRole("combobox", { name: "Filter events by kind" }).selectOption({ label: "elections" });
  await page.locator("[data-panel='3']").scrollIntoViewIfNeeded();
  await page.getByRole("list", { name: "Event log, newest first" }).getByText(/not a majority: it steps down as leader of term 1 \(CheckQuorum\)/).first().waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test("snapshot threshold: a bad value is refused inline; 4 compacts the logs into a snapshot prefix", async () => {
  const { page, errors } = await openPage(app.browser, `${app.server.url}?seed=3&speed=2&paused`);
  const field = options(page).getByRole("textbox", { name: /Snapshot every/ });
  const error = options(page).locator("#snapshot-threshold-error");
  for (const bad of ["four", "-1", "2.5", "99999999"]) {
    await field.fill(bad);
    await field.press("Enter");
    assert.equal(await error.innerText(), "A whole number from 0 to 1000000.", bad);
    assert.equal(await field.getAttribute("aria-invalid"), "true");
  }
  assert.equal(await page.locator(".notice", { hasText: "restarted" }).count(), 0, "nothing restarted");
  await setOption(page, async () => {
    await field.fill("4");
    await field.press("Enter");
  }, "Snapshots every 4 entries");
  assert.equal(await error.innerText(), "");
  assert.match(await legend(page), /S@n InstallSnapshot chunk at byte n \(§7\)/);
  assert.equal(await field.getAttribute("aria-invalid"), "false");
  await s1Leads(page);
  for (const v of [1, 2, 3, 4, 5, 6]) {
    await send(page, `SET k${v} ${v}`, 1);
    await runFor(page, 150);
  }
  await page.locator("[data-panel='0']").scrollIntoViewIfNeeded();
  const row = page.getByRole("row", { name: "Log of S1" });
  await row.getByRole("cell", { name: /^index \d+: in the snapshot, lastIncludedIndex \d+, lastIncludedTerm 1$/ }).waitFor({ timeout: 15000 });
  assert.match(await row.locator(".lsum").innerText(), /snapshot ≤\d+ t1/);
  // The server's details say the same (Figure 2's log[] starts after the snapshot).
  await server(page, 1).press("Enter");
  await page.getByRole("region", { name: "Server S1" }).getByText(/compacted: lastIncludedIndex \d+, lastIncludedTerm 1/).waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test("lease reads show a clock-drift field: a value past the limit is refused inline, one within it restarts the run and is exported", async () => {
  const { page, errors } = await openPage(app.browser, `${app.server.url}?seed=4&speed=1&paused`);
  const drift = options(page).getByRole("textbox", { name: /Clock drift ± ppm \(the lease allows 100000\)/ });
  assert.equal(await drift.count(), 0, "no clock field while reads go through the log");
  await setOption(page, (o) => o.getByRole("combobox", { name: "Read mode" }).selectOption("lease"), "Reads: lease");
  await drift.fill("950000");
  await drift.press("Enter");
  assert.equal(await options(page).locator("#clock-drift-error").innerText(), "A whole number from 0 to 900000.");
  assert.equal(await drift.getAttribute("aria-invalid"), "true");
  await setOption(page, async () => {
    await drift.fill("250000");
    await drift.press("Enter");
  }, "Clock drift up to ±250000 ppm");
  await page.getByRole("button", { name: "Share" }).click();
  const href = await page.getByRole("dialog").getByRole("link", { name: "scenario (JSON)" }).getAttribute("href");
  const scenario = JSON.parse(decodeURIComponent(href.slice(href.indexOf(",") + 1)));
  assert.equal(scenario.cluster.clock_drift_ppm, 250000);
  assert.equal(scenario.cluster.read_mode, "lease");
  assert.deepEqual(errors, []);
  await page.close();
});

test("transfer leadership: the leader hands over to the chosen server, and a Share link replays it", async () => {
  const { page, errors } = await openPage(app.browser, `${app.server.url}?seed=3&speed=1&paused`);
  await s1Leads(page);
  await server(page, 1).press("Enter");
  assert.ok(await page.getByRole("button", { name: "Transfer leadership to S1" }).isDisabled(), "S1 leads already");
  await server(page, 3).press("Enter");
  await page.getByRole("button", { name: "Transfer leadership to S3" }).click();
  await page.getByRole("button", { name: /^Server 3, leader, term 2$/ }).waitFor({ timeout: 15000 });
  assert.match(await legend(page), /TN TimeoutNow: stand now/);
  // The event log tells how: TimeoutNow, then S3's election (§3.10).
  await page.getByRole("combobox", { name: "Filter events by kind" }).selectOption({ label: "elections" });
  await page.locator("[data-panel='3']").scrollIntoViewIfNeeded();
  await page.getByRole("list", { name: "Event log, newest first" }).getByText(/S3 received from S1: TimeoutNow \(term 1\)/).first().waitFor();
  await runFor(page, 200);
  await page.keyboard.press("s");
  const dialog = page.getByRole("dialog", { name: "Share this moment" });
  const link = await dialog.locator(".share-link").inputValue();
  await page.keyboard.press("Escape");
  const before = await snapshot(page);
  const { page: again, errors: errors2 } = await openPage(app.browser, link);
  await again.locator(".notice", { hasText: "the shared run, paused at" }).waitFor();
  assert.deepEqual(await snapshot(again), before, "the transfer was replayed");
  assert.deepEqual([...errors, ...errors2], []);
  await page.close();
  await again.close();
});

test("options travel: a Share link and the exported scenario carry the read mode, PreVote, CheckQuorum and the threshold", async () => {
  const { page, errors } = await openPage(app.browser, `${app.server.url}?seed=4&speed=1&paused`);
  await setOption(page, (o) => o.getByRole("combobox", { name: "Read mode" }).selectOption("lease"), "Reads: lease");
  await setOption(page, (o) => o.getByRole("checkbox", { name: "PreVote" }).check(), "PreVote on");
  await setOption(page, (o) => o.getByRole("checkbox", { name: "CheckQuorum" }).check(), "CheckQuorum on");
  await setOption(page, async (o) => {
    await o.getByRole("textbox", { name: /Snapshot every/ }).fill("6");
    await o.getByRole("textbox", { name: /Snapshot every/ }).press("Enter");
  }, "Snapshots every 6 entries");
  await s1Leads(page);
  await runFor(page, 300);
  await page.getByRole("button", { name: "Share" }).click();
  const dialog = page.getByRole("dialog", { name: "Share this moment" });
  const href = await dialog.getByRole("link", { name: "scenario (JSON)" }).getAttribute("href");
  const scenario = JSON.parse(decodeURIComponent(href.slice(href.indexOf(",") + 1)));
  assert.equal(scenario.cluster.read_mode, "lease");
  assert.equal(scenario.cluster.pre_vote, true);
  assert.equal(scenario.cluster.check_quorum, true);
  assert.equal(scenario.cluster.snapshots.threshold, 6);
  const link = await dialog.locator(".share-link").inputValue();
  await page.keyboard.press("Escape");
  const before = await snapshot(page);

  const { page: again, errors: errors2 } = await openPage(app.browser, link);
  await again.locator(".notice", { hasText: "the shared run, paused at" }).waitFor();
  const o = options(again);
  assert.equal(await o.getByRole("combobox", { name: "Read mode" }).inputValue(), "lease");
  assert.ok(await o.getByRole("checkbox", { name: "PreVote" }).isChecked());
  assert.ok(await o.getByRole("checkbox", { name: "CheckQuorum" }).isChecked());
  assert.equal(await o.getByRole("textbox", { name: /Snapshot every/ }).inputValue(), "6");
  assert.deepEqual(await snapshot(again), before, "same run");
  assert.deepEqual([...errors, ...errors2], []);
  await page.close();
  await again.close();
});
