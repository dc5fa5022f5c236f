// The dashboard's hand-over at a takeover, in headless Chromium
// (playwright-core), against two real masters started by
// tests/integration/72-handover.sh on two origins (127.0.0.1 and
// 127.0.0.2: different hosts, so the browser keeps a cookie jar for
// each, as in a real install). Log in on A, SIGKILL A: the page must end
// on B, live, with the toast, without the password typed again, and a
// switch on the dashboard must be executed by the slave. Prints one
// "ok - ..." / "not ok - ..." line per check, and "# hand-over: N ms".
//
//   HD_URL_A, HD_URL_B   the masters' dashboards (master-web lines)
//   HD_NODE_B, HD_TERM_B B's node id and the least term it can take over
//                        in (a split vote under load makes it a later one:
//                        the toast must name the term B serves in)
//   HD_PID_A             the pid of master A, killed here (SIGKILL)
//   HD_SESS_A, HD_SESS_B their sessions files: A kills once B holds A's
//   HD_USER, HD_PASSWORD the admin
//   HD_SPKI              base64 SHA-256 of the web key's SubjectPublicKeyInfo
//   HD_SLAVE_LOG         the log of the slave whose lamp is switched
//   HD_SHOTS             where screenshots of a failure go
//   HD_NPM_CACHE         where playwright-core is installed
import fs from "node:fs";
import { env, WAIT_MS, fail, until as untilEvery, launch, tap, shot, QUIET_ARGS } from "./lib.mjs";
import { watch, loginLive, sessionsOnB, tookOver } from "./handlib.mjs";

const NAME = env.HD_TNAME || "handover";
const A = new URL(env.HD_URL_A), B = new URL(env.HD_URL_B);
// The hand-over is timed by these waits: a finer pace than the default.
const POLL_MS = 100;
const until = (fn, what, ms) => untilEvery(fn, what, { ms, poll: POLL_MS });
const slaveCommands = () => (fs.readFileSync(env.HD_SLAVE_LOG, "utf8").match(/command \d+ on sim:lamp/g) || []).length;

const { browser, ctx, page } = await launch({ args: QUIET_ARGS });
// Each step needs the one before.
const { check, done } = tap(NAME, { lines: 4, chain: true,
  onFail: (n) => shot(page, `handover-${n}.png`) });
const errors = [], requests = [];
// Errors, and every request the page makes, to prove where the
// credentials went.
watch(page, errors, requests);
// Every state of the Live indicator across the move, A's page then B's.
const linkStates = [], linkStates2 = [];
let page2 = null;
await ctx.exposeBinding("__hdLink", ({ page: p }, origin, state) =>
  (p === page2 ? linkStates2 : linkStates).push(`${origin} ${state}`));
// Every toast and every state of the Live indicator, on either origin.
await ctx.addInitScript(() => {
  window.__seen = { toasts: [], link: [], login: 0 };
  new MutationObserver(() => {
    for (const t of document.querySelectorAll(".toast span"))
      if (!window.__seen.toasts.includes(t.textContent)) window.__seen.toasts.push(t.textContent);
    const l = document.getElementById("link");
    if (l && window.__seen.link[window.__seen.link.length - 1] !== l.dataset.state) {
      window.__seen.link.push(l.dataset.state);
      window.__hdLink(location.origin, l.dataset.state);
    }
    const f = document.getElementById("login");
    if (f && !f.hidden) window.__seen.login++;
  }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
});
let typed = 0;

await check("B's page, a standby's, names the master and links its dashboard", async () => {
  await page.goto(B.href, { timeout: WAIT_MS });
  await page.locator("#login-error").waitFor({ state: "visible", timeout: WAIT_MS });
  const t = await page.textContent("#login-error");
  if (!t.includes(`The master is ${env.HD_NODE_A}`)) fail(t);
  if ((await page.getAttribute("#login-error a", "href")) !== A.href) fail("no link to " + A.href);
});

await check("log in on A", async () => {
  typed++;
  await loginLive(page, A, until);
});

await check("A's page holds a hand-over credential and knows both masters", async () => {
  const h = await until(async () => page.evaluate(() => HD.handover.creds.length &&
    { n: HD.handover.creds.length, masters: HD.handover.masters.map((m) => m.url) }), "a credential");
  if (!h.masters.includes(A.href) || !h.masters.includes(B.href)) fail(JSON.stringify(h));
  const cookies = await ctx.cookies(B.href);
  if (cookies.length) fail("a cookie for B before the hand-over: " + JSON.stringify(cookies));
});

await check("a second tab on A, signed in by the cookie, with its own credential", async () => {
  page2 = await ctx.newPage();
  page2.on("pageerror", (e) => errors.push(String(e)));
  page2.on("request", (r) => requests.push({ url: r.url(), body: r.postData() || "" }));
  await page2.goto(A.href, { timeout: WAIT_MS });
  await page2.locator("#app").waitFor({ state: "visible", timeout: WAIT_MS });
  await until(async () => page2.evaluate(() => HD.handover.creds.length), "its credential");
  const [c1, c2] = await Promise.all([page, page2].map((p) => p.evaluate(() => HD.handover.creds[0])));
  if (c1 === c2) fail("the same credential");
  await page.bringToFront();
});

await check("B (the standby) has A's sessions file with the credentials", async () =>
  sessionsOnB(until));

let t0 = 0, ms = 0;
await check("SIGKILL A: the page moves to B", async () => {
  await page.click('.tabs a[data-view="devices"]');
  process.kill(Number(env.HD_PID_A), "SIGKILL");
  t0 = Date.now();
  await until(async () => new URL(page.url()).origin === B.origin, "the page on B");
});

await check("the Live indicator: reconnecting and taking over on A, then live on B", async () => {
  await until(async () => (await page.getAttribute("#link", "data-state").catch(() => "")) === "live",
    "live on B");
  ms = Date.now() - t0;
  console.log(`# hand-over: ${ms} ms from SIGKILL of A to the page live on B`);
  const seq = linkStates.join(" > "), a = A.origin, b = B.origin;
  const at = (x, from = 0) => linkStates.indexOf(x, from);
  const r = at(`${a} reconnecting`), t = at(`${a} takeover`, r), l = at(`${b} live`, t);
  if (r < 0 || t < 0 || l < 0 || linkStates[linkStates.length - 1] !== `${b} live`) fail(seq);
  console.log("# " + seq);
});

let termB = 0;
await check(`the toast says master ${env.HD_NODE_B} took over, in the term it serves (${env.HD_TERM_B} or later)`, async () => {
  termB = await tookOver(page, until);
});

await check("no password typed again: the login form never showed on B; the Devices view open again", async () => {
  if (typed !== 1) fail(`typed ${typed} times`);
  if (await page.evaluate(() => window.__seen.login)) fail("the login form showed");
  if (!(await page.locator("#app").isVisible())) fail("the app is not shown");
  if (!(await page.textContent("#who")).includes(env.HD_USER)) fail("another user");
  if (new URL(page.url()).hash !== "#/devices") fail("not the view that was open: " + page.url());
  if (!(await ctx.cookies(B.href)).some((c) => c.name === "__Host-hd_session" && c.httpOnly))
    fail("no session cookie for B");
});

await check("the second tab ends on B too, live and signed in, no password typed", async () => {
  await until(async () => new URL(page2.url()).origin === B.origin &&
    (await page2.getAttribute("#link", "data-state").catch(() => "")) === "live", "the tab live on B");
  if (await page2.evaluate(() => window.__seen.login)) fail("the login form showed");
  if (!(await page2.textContent("#who")).includes(env.HD_USER)) fail("another user");
  console.log("# second tab: " + linkStates2.join(" > "));
});

await check("the credentials went only into B's fragment and B's exchange body", async () => {
  const creds = new Set();
  for (const r of requests) {
    const m = /"credential":"([0-9a-f]{64})"/.exec(r.body);
    if (m) creds.add(m[1]);
  }
  if (!creds.size) fail("no exchange seen");
  for (const r of requests) {
    const u = new URL(r.url);
    for (const c of creds) {
      if (u.pathname.includes(c) || u.search.includes(c)) fail("in a URL: " + u.pathname + u.search);
      if (r.body.includes(c) && !(u.origin === B.origin && u.pathname === "/api/v1/handover/exchange"))
        fail("sent to " + r.url);
    }
  }
});

await check("a switch on B's dashboard is executed by the slave", async () => {
  await page.click('.tabs a[data-view="devices"]');
  const t = page.locator('article.card[data-id="sim:lamp"] button.toggle').first();
  await t.waitFor({ timeout: WAIT_MS });
  const before = (await t.getAttribute("aria-checked")) === "true", n = slaveCommands();
  await t.click();
  await until(async () => (await t.getAttribute("aria-checked")) === String(!before) &&
    !(await page.locator('article.card[data-id="sim:lamp"]').first().getAttribute("class")).includes("pending"),
    "the confirmed state");
  await until(async () => slaveCommands() > n, "the slave's log line");
});

await check("B's Overview: the Standby card names A with the term and the takeover", async () => {
  await page.click('.tabs a[data-view="overview"]');
  const tile = page.locator("#overview-cluster .tile[data-standby]");
  await until(async () => {
    const t = await tile.textContent();
    return t.includes(env.HD_NODE_A) && t.includes(`term ${termB}`) && /last takeover/.test(t) && t;
  }, "the card");
});

await check("B's Cluster view shows both masters", async () => {
  await page.click('.tabs a[data-view="cluster"]');
  await page.locator("#cluster table").waitFor({ timeout: WAIT_MS });
  await until(async () => (await page.locator(`#cluster tr[data-standby]`).count()) === 1 &&
    (await page.locator("#cluster tr[data-standby]").textContent()).includes(env.HD_NODE_A), "A's row");
  const m = await page.locator("#cluster tbody tr").first().textContent();
  if (!m.includes(env.HD_NODE_B) || !/master/.test(m)) fail("first row: " + m);
});

await check("no script error, no CSP violation", async () => {
  if (errors.length) fail(errors.join(" | "));
});
await done(browser);
