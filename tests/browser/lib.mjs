// What the browser tests share: Debian's chromium driven by
// playwright-core from the npm cache (tests/browser/install.sh), trusting
// the test web key by its SPKI; the TAP lines ("ok - NAME: ..." /
// "not ok - NAME: ..." with the reason on "#   " lines) and their count;
// bounded waits; the dashboard's login.
//
//   HD_NPM_CACHE  where playwright-core is installed
//   HD_CHROMIUM   the browser (/usr/bin/chromium)
//   HD_SPKI       base64 SHA-256 of the web key's SubjectPublicKeyInfo:
//                 Chromium trusts that key (as a user who imported the CA
//                 would); ignoring certificate errors instead makes it
//                 abort each first handshake, which the engine counts as
//                 a bad-tls probe and bans
//   HD_SHOTS      where screenshots go (the test's log folder)
//   HD_WAIT_MS    the longest wait of one step
//   HD_URL, HD_USER, HD_PASSWORD   the dashboard and its admin (login)
import { createRequire } from "node:module";

export const env = process.env;
const require = createRequire((env.HD_NPM_CACHE || "/var/cache/homedaemon-npm") + "/");
const { chromium } = require("playwright-core");

export const WAIT_MS = Number(env.HD_WAIT_MS || 30000);	// per step: a loaded machine is slow
export const POLL_MS = 200;	// until()'s default pace
export const SHOTS = env.HD_SHOTS || "/tmp";
export const VIEWPORT = { width: 1280, height: 860 };

export const fail = (m) => { throw new Error(m); };
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A TAP printer: check(desc, fn) runs one step and prints its line (none
// when fn returns "skip": it printed its own skip line); a thrown error
// is a "not ok" with the first `lines` lines of its message, then
// onFail(failures, desc) (a screenshot). `chain`: each step needs the one
// before, so after a failure the rest are "not ok ... (not reached)".
// done(browser) closes the browser and exits 1 if any check failed.
export function tap(name, { lines = 1, onFail, chain = false } = {}) {
  let failures = 0, stop = false;
  async function check(desc, fn) {
    if (stop) {
      console.log(`not ok - ${name}: ${desc} (not reached)`);
      failures++;
      return;
    }
    try {
      if ((await fn()) === "skip") return;
      console.log(`ok - ${name}: ${desc}`);
    } catch (e) {
      failures++;
      stop = chain;
      console.log(`not ok - ${name}: ${desc}`);
      console.log("#   " + String(e && e.message || e).split("\n").slice(0, lines).join("\n#   "));
      if (onFail) await onFail(failures, desc);
    }
  }
  async function done(browser) {
    await browser.close();
    process.exit(failures ? 1 : 0);
  }
  // A part this master cannot run: its line says why.
  const skip = (desc, why) => console.log(`skip - ${name}: ${desc} (${why})`);
  return { check, skip, done, failures: () => failures };
}

// A full-page screenshot into SHOTS; never fails (it serves a failure).
export async function shot(page, file) {
  if (page) await page.screenshot({ path: `${SHOTS}/${file}`, fullPage: true }).catch(() => {});
}

// Until fn() returns something true (returned), polling every `poll` ms
// for `ms` at most; a throw counts as not yet and its message is kept
// for the timeout's reason.
export async function until(fn, what, { ms = WAIT_MS, poll = POLL_MS } = {}) {
  const t0 = Date.now();
  let last;
  while (Date.now() - t0 < ms) {
    try {
      if ((last = await fn())) return last;
    } catch (e) {
      last = e.message;
    }
    await sleep(poll);
  }
  fail(`timed out after ${ms} ms waiting for ${what}` + (last ? ` (last: ${last})` : ""));
}

// Chromium without its background traffic, trusting HD_SPKI.
export const CHROMIUM_ARGS = [
  "--disable-background-networking", "--disable-component-update",
  "--disable-default-apps", "--disable-sync", "--no-first-run", "--no-pings",
];

// More of the same, for the longer runs: no translation, field trials,
// safe-browsing lists or metrics pings either.
export const QUIET_ARGS = [
  "--disable-translate", "--disable-domain-reliability",
  "--disable-client-side-phishing-detection", "--metrics-recording-only",
  "--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider",
];

// The browser and one page in a fresh context; `args` adds flags,
// `context` options of the context beside the viewport.
export async function launch({ viewport = VIEWPORT, args = [], context = {} } = {}) {
  const browser = await chromium.launch({
    executablePath: env.HD_CHROMIUM || "/usr/bin/chromium",
    args: [
      ...(process.getuid && process.getuid() === 0 ? ["--no-sandbox"] : []),
      ...CHROMIUM_ARGS,
      `--ignore-certificate-errors-spki-list=${env.HD_SPKI}`,
      ...args,
    ],
  });
  const ctx = await browser.newContext({ viewport, ...context });
  return { browser, ctx, page: await ctx.newPage() };
}

// The page's console errors and uncaught exceptions, collected from now.
export function pageErrors(page, { console: cons = true } = {}) {
  const errors = [];
  if (cons) page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  return errors;
}
// Those not a 401 before the login or an optional 404.
export const badErrors = (errors) => errors.filter((t) => !/status of 40[14]/.test(t));

// Log in as HD_USER on the page at HD_URL (or `url`) until the app shows;
// `form`: first wait for the login form itself.
export async function login(page, { url = env.HD_URL, form = false } = {}) {
  await page.goto(url, { timeout: WAIT_MS });
  if (form)
    await page.locator("#login-form").waitFor({ state: "visible", timeout: WAIT_MS });
  await page.fill("#login-name", env.HD_USER);
  await page.fill("#login-pw", env.HD_PASSWORD);
  await page.press("#login-pw", "Enter");
  await page.locator("#app").waitFor({ state: "visible", timeout: WAIT_MS });
}
