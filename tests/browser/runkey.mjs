// The Events tab's "Run now" exactly once across a takeover, in headless
// Chromium (playwright-core), against two real masters started by
// tests/integration/75-dashboard-run.sh on two origins (A on 127.0.0.1,
// B on 127.0.0.2), both with events lamp-a..lamp-d fired only by a run.
//  - lamp-a on A: one call with a fresh key, "ran (the standby holds its
//    record)";
//  - lamp-b on A, its answer lost: the browser's network stack holds A's
//    answer (CDP Fetch, response stage: A fired and answered), A is
//    SIGKILLed, then the connection is reset under the page. The page
//    moves to B and asks again there with the same key: a repeat, "already
//    ran (retry)", the button disabled all the while;
//  - lamp-c on B, no standby any more: "ran, not replicated" (a warning);
//  - lamp-d on B, its web process stopped (SIGSTOP) before the click:
//    no answer, the call times out or the watchdog replaces the process;
//    asked again with the same key, it ran once;
//  - lamp-e with both masters dead: Running… until the page's bound, then
//    "it may or may not have run; check Last fired".
//  - a run in a link's fragment without a hand-over credential (anyone can
//    write one): never asked, named as unknown.
// The shell checks each run's command against slave-a's journal.
//
//   HD_URL_A, HD_URL_B   the masters' dashboards (master-web lines)
//   HD_PID_A, HD_PID_B   the pids of masters A and B, killed here (SIGKILL)
//   HD_NODE_B, HD_LOG_B  B's node id and log (its web process's pid)
//   HD_SESS_A, HD_SESS_B their sessions files: A is killed once B holds A's
//   HD_USER, HD_PASSWORD the admin
//   HD_SPKI, HD_SHOTS, HD_NPM_CACHE as in lib.mjs
import fs from "node:fs";
import { env, WAIT_MS, fail, until as untilEvery, launch, tap, shot, QUIET_ARGS } from "./lib.mjs";

const NAME = env.HD_TNAME || "runkey";
const A = new URL(env.HD_URL_A), B = new URL(env.HD_URL_B);
const POLL_MS = 100;
const until = (fn, what, ms) => untilEvery(fn, what, { ms, poll: POLL_MS });
const same = (a, b) => { try { return fs.readFileSync(a).equals(fs.readFileSync(b)); } catch { return false; } };

const { browser, ctx, page } = await launch({ args: QUIET_ARGS });
const { check, done } = tap(NAME, { lines: 4, chain: true,
  onFail: (n) => shot(page, `runkey-${n}.png`) });
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));
page.on("console", (m) => m.type() === "error" && /Content Security Policy/i.test(m.text()) &&
  errors.push(m.text()));
// Every run call the page makes ({origin, event, key}) and every answer it got.
const calls = [], answers = [];
const RUN = /^\/api\/v1\/events\/([^/]+)\/run$/;
page.on("request", (r) => {
  const u = new URL(r.url()), m = RUN.exec(u.pathname);
  if (m) calls.push({ origin: u.origin, event: decodeURIComponent(m[1]), key: JSON.parse(r.postData() || "{}").key });
});
page.on("response", async (r) => {
  const u = new URL(r.url()), m = RUN.exec(u.pathname);
  if (m) answers.push({ origin: u.origin, event: decodeURIComponent(m[1]), status: r.status(),
    body: await r.json().catch(() => null) });
});
// Every toast, with its kind, on either origin.
await ctx.addInitScript(() => {
  window.__toasts = [];
  new MutationObserver(() => {
    for (const t of document.querySelectorAll(".toast")) {
      const s = `${t.classList.contains("ok") ? "ok" : t.classList.contains("warn") ? "warn" : "bad"} ` +
        t.querySelector("span").textContent;
      if (!window.__toasts.includes(s)) window.__toasts.push(s);
    }
  }).observe(document, { subtree: true, childList: true });
});
const toasts = () => page.evaluate(() => window.__toasts).catch(() => []);
const toast = (re, what, ms) => until(async () => (await toasts()).find((t) => re.test(t)), what, ms);
const row = (n) => page.locator(`#events tr[data-event="${n}"]`);
const button = (n) => row(n).locator("button.run");
const runs = (n) => page.evaluate((e) => HD.api.get("events/" + e), n);
const keysOf = (n) => [...new Set(calls.filter((c) => c.event === n).map((c) => c.key))];

// One run's facts: one key per click, of the API's format; the event's
// last firing is the one every 200 answered (a repeat names the first). `here`: it fired on this
// master, whose recent firings ("runs", kept in memory only) hold it alone.
async function ranOnce(n, here = true) {
  const k = keysOf(n);
  if (k.length !== 1 || !/^[0-9a-f]{32}$/.test(k[0])) fail(`${n}: keys ${JSON.stringify(k)}`);
  // The page may show its toast before this side has read the answer.
  const ok = await until(async () => { const l = answers.filter((a) => a.event === n && a.status === 200);
    return l.length && l; }, `${n}'s 200 read here`);
  const e = await runs(n);
  if (!ok.length || ok.some((a) => !a.body || !a.body.run || a.body.run.key !== k[0] ||
      a.body.run.fired_ms !== e.last_fired_ms) || (here && (e.runs || []).length !== 1))
    fail(`${n}: ${JSON.stringify(ok)} ${JSON.stringify(e)}`);
  return k[0];
}
const enabled = (n) => until(async () => !(await button(n).isDisabled()) &&
  (await button(n).textContent()) === "Run now", `${n}'s Run now enabled again`);

await check("log in on A: live, holding a hand-over credential that B holds too", async () => {
  await page.goto(A.href, { timeout: WAIT_MS });
  await page.locator("#login-form").waitFor({ state: "visible", timeout: WAIT_MS });
  await page.fill("#login-name", env.HD_USER);
  await page.fill("#login-pw", env.HD_PASSWORD);
  await page.press("#login-pw", "Enter");
  await page.locator("#app").waitFor({ state: "visible", timeout: WAIT_MS });
  await until(async () => (await page.getAttribute("#link", "data-state")) === "live", "live on A");
  await until(async () => page.evaluate(() => HD.handover.creds.length), "a credential");
  await until(async () => same(env.HD_SESS_A, env.HD_SESS_B), "the sessions file on B");
});

await check("a run in a link's fragment, without a credential: never asked, named as unknown", async () => {
  await page.goto("about:blank");
  await page.goto(`${A.href}#handover=&run=${"0".repeat(32)}-${Date.now()}-lamp-e`, { timeout: WAIT_MS });
  await page.locator("#app").waitFor({ state: "visible", timeout: WAIT_MS });
  await toast(/^bad lamp-e: its answer was lost in the move to this master: it may or may not have run; check Last fired$/,
    "the toast");
  if (calls.length) fail("asked: " + JSON.stringify(calls));
  if (/run=/.test(page.url())) fail("left in the address: " + page.url());
  await until(async () => (await page.getAttribute("#link", "data-state")) === "live", "live on A");
  await until(async () => page.evaluate(() => HD.handover.creds.length), "a credential");
  await until(async () => same(env.HD_SESS_A, env.HD_SESS_B), "the sessions file on B");
});

await check("the Events tab: each event with its Run now", async () => {
  await page.click('.tabs a[data-view="events"]');
  for (const n of ["lamp-a", "lamp-b", "lamp-c", "lamp-d", "lamp-e"]) await button(n).waitFor({ timeout: WAIT_MS });
});

await check("lamp-a on A: one call with a fresh key, 'ran (the standby holds its record)'", async () => {
  await button("lamp-a").click();
  await toast(/^ok lamp-a: ran \(the standby holds its record\)$/, "the toast");
  await ranOnce("lamp-a");
  if (calls.length !== 1) fail(JSON.stringify(calls));
  await enabled("lamp-a");
});

const cdp = await ctx.newCDPSession(page);
let first = null, t0 = 0;
await check("lamp-b on A: A fired and answered; the answer held, the button says Running…", async () => {
  await cdp.send("Fetch.enable", { patterns: [{ urlPattern: `${A.origin}/api/v1/events/lamp-b/run`,
    requestStage: "Response" }] });
  const held = new Promise((res) => cdp.once("Fetch.requestPaused", res));
  await button("lamp-b").click();
  const p = await Promise.race([held, new Promise((res) => setTimeout(res, WAIT_MS))]);
  if (!p) fail("no answer held");
  const b = await cdp.send("Fetch.getResponseBody", { requestId: p.requestId });
  first = JSON.parse(b.base64Encoded ? Buffer.from(b.body, "base64").toString() : b.body);
  if (p.responseStatusCode !== 200 || !first.run || first.run.repeat || !first.run.replicated ||
      first.run.key !== keysOf("lamp-b")[0])
    fail(`${p.responseStatusCode} ${JSON.stringify(first)}`);
  await until(async () => (await button("lamp-b").isDisabled()) &&
    (await button("lamp-b").textContent()) === "Running…", "the button disabled");
  process.kill(Number(env.HD_PID_A), "SIGKILL");
  t0 = Date.now();
  await cdp.send("Fetch.failRequest", { requestId: p.requestId, errorReason: "ConnectionReset" });
  await cdp.send("Fetch.disable").catch(() => {});
});

await check("the page moves to B, live, the Events view open again", async () => {
  await until(async () => new URL(page.url()).origin === B.origin &&
    (await page.getAttribute("#link", "data-state").catch(() => "")) === "live", "live on B");
  if (new URL(page.url()).hash !== "#/events") fail("not the Events view: " + page.url());
  if (/run=/.test(page.url())) fail("the runs left in the address: " + page.url());
});

await check("lamp-b asked again on B with the same key: 'already ran (retry)', fired once", async () => {
  await toast(/^ok lamp-b: already ran \(retry\): fired at .+, not run again$/, "the toast");
  console.log(`# lamp-b: answered on B ${Date.now() - t0} ms after SIGKILL of A`);
  const onB = await until(async () => { const l = answers.filter((a) => a.event === "lamp-b" &&
    a.origin === B.origin && a.status === 200); return l.length && l; }, "B's 200 read here");
  if (onB.length !== 1 || !onB[0].body.run.repeat || onB[0].body.run.fired_ms !== first.run.fired_ms)
    fail(JSON.stringify(onB));
  await ranOnce("lamp-b", false);
  await toast(new RegExp(`^ok master ${env.HD_NODE_B} took over`), "the takeover's toast");
  await enabled("lamp-b");
});

await check("lamp-c on B without a standby: a warning, 'ran, not replicated' and why", async () => {
  await button("lamp-c").click();
  await toast(/^warn lamp-c: ran, not replicated: .*standby/, "the toast");
  await ranOnce("lamp-c");
  await enabled("lamp-c");
});

await check("lamp-d on B, its web process stopped: asked again with the same key, ran once", async () => {
  const m = fs.readFileSync(env.HD_LOG_B, "utf8").match(/web process \d+ serving/g);
  const web = Number(m[m.length - 1].split(" ")[2]);
  process.kill(web, "SIGSTOP");
  try {
    await button("lamp-d").click();
    // The first call gets no answer: the page's timeout or the master's
    // watchdog (it replaces the stopped process) ends it; then again.
    await until(async () => calls.filter((c) => c.event === "lamp-d").length >= 2, "a second call");
  } finally {
    try { process.kill(web, "SIGCONT"); } catch { /* replaced by the watchdog */ }
  }
  const t = await toast(/ lamp-d: (ran|already ran)/, "the toast");
  console.log(`# lamp-d: ${calls.filter((c) => c.event === "lamp-d").length} calls, then "${t}"`);
  if (!/^(warn lamp-d: ran, not replicated: |ok lamp-d: already ran \(retry\))/.test(t)) fail(t);
  await ranOnce("lamp-d");
  await enabled("lamp-d");
});

await check("lamp-e with no master alive: Running… until the bound, then 'may or may not have run'", async () => {
  process.kill(Number(env.HD_PID_B), "SIGKILL");
  const t1 = Date.now(), bound = await page.evaluate(() => HD.run.limits.GIVE_UP_MS);
  await button("lamp-e").click();
  await until(async () => (await button("lamp-e").textContent()) === "Running…", "Running…");
  const t = await toast(/ lamp-e: /, "the toast", bound + WAIT_MS);
  const ms = Date.now() - t1;
  console.log(`# lamp-e: "${t}" after ${ms} ms`);
  if (!/^bad lamp-e: no master answered within \d+ s \(last: .+\): it may or may not have run; check Last fired$/.test(t))
    fail(t);
  if (ms < bound) fail(`given up after ${ms} ms, before the bound (${bound} ms)`);
  if (calls.filter((c) => c.event === "lamp-e").length < 2) fail("not asked again");
  if (keysOf("lamp-e").length !== 1) fail("keys: " + JSON.stringify(keysOf("lamp-e")));
  await enabled("lamp-e");
});

await check("no script error, no CSP violation", async () => {
  if (errors.length) fail(errors.join(" | "));
});
await done(browser);
