// Before/after comparison of whole release builds, interleaved in one browser so that the
// machine's drift hits both alike (scripts/bench.sh measures one build at a time).
// Usage: node scripts/bench-ab.mjs raftscope|frames name=DIST_DIR name=DIST_DIR ...  (REPS=3)
// Needs the tools scripts/setup.sh installs (playwright-core, Chromium). Prints each measure's median.
import http from "node:http"; import fs from "node:fs"; import path from "node:path";
import { launchBrowser, openPage } from "../tests/e2e/harness.mjs";
const mode = process.argv[2];
const dists = process.argv.slice(3).map((a) => a.split("="));
const MIME = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css", ".svg": "image/svg+xml" };
function serve(dir) { return new Promise((res) => { const s = http.createServer((q, r) => { let f = path.join(dir, new URL(q.url, "http://x").pathname); if (f.endsWith("/")) f += "index.html"; fs.readFile(f, (e, b) => { if (e) { r.writeHead(404).end(); return; } r.writeHead(200, { "content-type": MIME[path.extname(f)] || "application/octet-stream" }); r.end(b); }); }); s.listen(0, "127.0.0.1", () => res({ url: `http://127.0.0.1:${s.address().port}/`, s })); }); }
const servers = {}; for (const [n, d] of dists) servers[n] = await serve(d);
const browser = await launchBrowser();
const pct = (s, p) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
const res = {};
for (let rep = 0; rep < (+process.env.REPS || 3); rep++) for (const [name] of dists) {
  const url = servers[name].url;
  if (mode === "frames") {
    const { page } = await openPage(browser, url + "?bench&seed=3&speed=1", { width: 1280, height: 800 });
    await page.getByRole("button", { name: /^Server \d, leader, term \d+$/ }).waitFor({ timeout: 30000 });
    await page.waitForTimeout(6000);
    await page.evaluate(() => { window.__raftFrameCosts = []; window.__raftProfile = {}; });
    while ((await page.evaluate(() => window.__raftFrameCosts.length)) < 300) await page.waitForTimeout(200);
    const c = (await page.evaluate(() => window.__raftFrameCosts.slice(0, 300))).sort((a, b) => a - b);
    const prof = await page.evaluate(() => window.__raftProfile);
    (res[name] ||= []).push({ p50: pct(c, 50), p95: pct(c, 95), layout: +(prof.layout / 300).toFixed(2), render: +(prof.render / 300).toFixed(2) });
    await page.close();
  } else {
    const { page } = await openPage(browser, url + "?seed=3&speed=0.1", { width: 1280, height: 800 });
    await page.getByRole("button", { name: /^Server \d, leader, term \d+$/ }).waitFor({ timeout: 30000 });
    await page.locator("h1").click();
    for (let i = 0; i < 20; i++) { await page.keyboard.press("c"); await page.waitForTimeout(300); }
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    const metrics = async () => Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));
    await page.evaluate(() => { window.__frames = 0; const tick = () => { window.__frames++; requestAnimationFrame(tick); }; requestAnimationFrame(tick); });
    const m0 = await metrics(); const f0 = await page.evaluate(() => window.__frames);
    for (let i = 0; i < 17; i++) { await page.keyboard.press("c"); await page.waitForTimeout(300); }
    const m1 = await metrics(); const frames = (await page.evaluate(() => window.__frames)) - f0;
    const pf = (n) => +((m1[n] - m0[n]) * 1000 / frames).toFixed(2);
    (res[name] ||= []).push({ task: pf("TaskDuration"), cpu: pf("ThreadTime"), script: pf("ScriptDuration"), layout: pf("LayoutDuration"), style: pf("RecalcStyleDuration"), other: pf("TaskOtherDuration") });
    await page.close();
  }
}
for (const [n, runs] of Object.entries(res)) {
  const keys = Object.keys(runs[0]);
  const med = Object.fromEntries(keys.map((k) => { const v = runs.map((r) => r[k]).sort((a, b) => a - b); return [k, v[Math.floor(v.length / 2)]]; }));
  console.log("MEDIAN", n.padEnd(10), JSON.stringify(med), " all:", runs.map((r) => r[mode === "frames" ? "p95" : "task"]).join(" "));
}
await browser.close(); for (const s of Object.values(servers)) s.s.close();
