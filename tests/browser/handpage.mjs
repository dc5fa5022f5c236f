// A page opened while its master is down (docs/WEB.md, "A page opened
// while its master is down"), in headless Chromium against two real
// masters started by tests/integration/72-handover.sh. Logged in on A,
// the service worker (sw.js) keeps the dashboard's shell; the person
// leaves the page; A is SIGKILLed; the person opens A's address again in
// the same tab: the browser cannot reach A, the shell comes from the
// worker, finds B once it is master and moves the session there, without
// the password. The worker's cache holds the shell only: no API answer,
// no credential, no cookie. Prints one "ok - ..." / "not ok - ..." line
// per check.
//
//   HD_URL_A, HD_URL_B   the masters' dashboards (master-web lines)
//   HD_NODE_B, HD_TERM_B B's node id and the least term it can take over
//                        in (a split vote under load makes it a later one:
//                        the toast must name the term B serves in)
//   HD_PID_A             the pid of master A, killed here (SIGKILL)
//   HD_SESS_A, HD_SESS_B their sessions files: A is killed once B holds A's
//   HD_USER, HD_PASSWORD the admin
//   HD_SPKI              base64 SHA-256 of the web key's SubjectPublicKeyInfo
//   HD_SHOTS, HD_NPM_CACHE as for every browser test (lib.mjs)
import net from "node:net";
import { env, WAIT_MS, fail, until, launch, tap, shot, QUIET_ARGS } from "./lib.mjs";
import { watch, loginLive, sessionsOnB, tookOver } from "./handlib.mjs";

const NAME = env.HD_TNAME ? env.HD_TNAME + " handpage" : "handpage";
const A = new URL(env.HD_URL_A), B = new URL(env.HD_URL_B);
// Does A still accept a TCP connection? (false once refused)
const accepts = (u) => new Promise((res) => {
  const s = net.connect({ host: u.hostname, port: Number(u.port) || 443 });
  s.setTimeout(2000);
  s.on("connect", () => { s.destroy(); res(true); });
  s.on("error", () => res(false));
  s.on("timeout", () => { s.destroy(); res(true); });
});

const { browser, ctx, page } = await launch({ args: QUIET_ARGS });
const { check, done } = tap(NAME, { lines: 4, chain: true,
  onFail: (n) => shot(page, `handpage-${n}.png`) });
const errors = [], requests = [], fromWorker = [];
watch(page, errors, requests);
page.on("response", (r) => r.fromServiceWorker() && fromWorker.push(new URL(r.url())));
await ctx.addInitScript(() => {
  window.__seen = { toasts: [] };
  new MutationObserver(() => {
    for (const t of document.querySelectorAll(".toast span"))
      if (!window.__seen.toasts.includes(t.textContent)) window.__seen.toasts.push(t.textContent);
  }).observe(document, { subtree: true, childList: true, characterData: true });
});
let typed = 0, creds = [];

await check("log in on A", async () => {
  typed++;
  await loginLive(page, A, until);
});

await check("A's service worker is running and keeps the shell (the page, its scripts and style)", async () => {
  // The controller, not serviceWorker.ready: that never settles when no
  // worker registers, and would hold this step past its bound.
  await until(async () => page.evaluate(() => navigator.serviceWorker.controller !== null &&
    navigator.serviceWorker.controller.scriptURL.endsWith("/sw.js")), "an active worker controlling the page");
  const keys = await until(async () => page.evaluate(async () => {
    const k = (await (await caches.open("hd-shell")).keys()).map((r) => new URL(r.url).pathname);
    return k.includes("/") && k.includes("/app.js") && k.includes("/hd-handover.js") &&
      k.includes("/style.css") && k;
  }), "the shell in the cache");
  console.log("# cached: " + keys.sort().join(" "));
});

await check("the tab keeps a credential and both masters' addresses", async () => {
  const kept = await until(async () => page.evaluate(() => {
    const c = (sessionStorage.getItem("hd.handover") || "").split(".").filter((x) => x.length === 64);
    const m = JSON.parse(localStorage.getItem("hd.masters") || "[]").map((x) => x.url);
    return c.length && { c, m };
  }), "the kept hand-over data");
  if (!kept.m.includes(A.href) || !kept.m.includes(B.href)) fail(JSON.stringify(kept.m));
  creds = kept.c;
});

await check("the cache holds no API answer, no credential, no cookie", async () => {
  const bad = await page.evaluate(async (cs) => {
    const out = [];
    for (const name of await caches.keys())
      for (const req of await (await caches.open(name)).keys()) {
        const p = new URL(req.url).pathname, r = await caches.match(req, { cacheName: name });
        if (!/^\/(?:[a-z0-9-]+\.(?:js|css))?$/.test(p)) out.push("path " + p);
        if (r.headers.get("set-cookie")) out.push("cookie in " + p);
        const body = await r.text();
        for (const c of cs) if (body.includes(c)) out.push("credential in " + p);
      }
    return out;
  }, creds);
  if (bad.length) fail(bad.join(", "));
  if (fromWorker.some((u) => u.pathname.startsWith("/api/")))
    fail("an API answer from the worker: " + fromWorker.map((u) => u.pathname).join(" "));
});

await check("B (the standby) has A's sessions file with the credentials", async () =>
  sessionsOnB(until));

await check("the person leaves; A is SIGKILLed and refuses connections", async () => {
  await page.goto("about:blank");
  process.kill(Number(env.HD_PID_A), "SIGKILL");
  await until(async () => !(await accepts(A)), "A refusing connections");
});

let t0 = 0;
await check("A's address opened again in the tab: the shell comes from the worker", async () => {
  t0 = Date.now();
  const r = await page.goto(A.href, { timeout: WAIT_MS });
  if (!r || !r.fromServiceWorker()) fail("not from the service worker: " + (r && r.status()));
});

await check("the page moves to B and is live there", async () => {
  await until(async () => new URL(page.url()).origin === B.origin &&
    (await page.getAttribute("#link", "data-state").catch(() => "")) === "live", "the page live on B");
  console.log(`# a page opened while A is down: ${Date.now() - t0} ms from opening it to live on B`);
});

let termB = 0;
await check(`the toast says master ${env.HD_NODE_B} took over, in the term it serves (${env.HD_TERM_B} or later)`, async () => {
  termB = await tookOver(page, until);
});

await check("no password typed again; signed in on B with a cookie of its own", async () => {
  if (typed !== 1) fail(`typed ${typed} times`);
  if (!(await page.textContent("#who")).includes(env.HD_USER)) fail("another user");
  if (!(await ctx.cookies(B.href)).some((c) => c.name === "__Host-hd_session" && c.httpOnly))
    fail("no session cookie for B");
  if (new URL(page.url()).hash.includes("handover")) fail("the credential left in the address");
});

await check("the credentials went only into B's fragment and B's exchange body", async () => {
  const sent = new Set();
  for (const r of requests) {
    const m = /"credential":"([0-9a-f]{64})"/.exec(r.body);
    if (m) sent.add(m[1]);
  }
  if (![...sent].some((c) => creds.includes(c))) fail("no exchange of a kept credential seen");
  for (const r of requests) {
    const u = new URL(r.url);
    for (const c of sent) {
      if (u.pathname.includes(c) || u.search.includes(c)) fail("in a URL: " + u.pathname + u.search);
      if (r.body.includes(c) && !(u.origin === B.origin && u.pathname === "/api/v1/handover/exchange"))
        fail("sent to " + r.url);
    }
  }
  const left = await page.evaluate(() => sessionStorage.getItem("hd.handover") || "");
  for (const c of creds) if (left.includes(c)) fail("a used credential still kept on B");
});

await check("no API answer ever came from the worker", async () => {
  const api = fromWorker.filter((u) => u.pathname.startsWith("/api/"));
  if (api.length) fail(api.map((u) => u.href).join(" "));
});

await check("no script error, no CSP violation", async () => {
  if (errors.length) fail(errors.join(" | "));
});
await done(browser);
