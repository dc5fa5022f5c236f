// Steps the two hand-over tests share (handover.mjs, handpage.mjs, run by
// tests/integration/72-handover.sh): the page's watchers, the login on
// master A until live, B holding A's sessions file, and the toast of B's
// takeover. `until` is the caller's (handover.mjs polls at a finer pace).
import fs from "node:fs";
import { env, fail, login } from "./lib.mjs";

// Are files a and b the same bytes (false while either is missing)?
export const same = (a, b) => {
  try { return fs.readFileSync(a).equals(fs.readFileSync(b)); } catch { return false; }
};

// Script errors and CSP violations into `errors`, every request (its
// URL and body) into `requests`: where the credentials went.
export function watch(page, errors, requests) {
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && /Content Security Policy/i.test(m.text()) &&
    errors.push(m.text()));
  page.on("request", (r) => requests.push({ url: r.url(), body: r.postData() || "" }));
}

// Log in as HD_USER on A's login form until the page is live there.
export async function loginLive(page, A, until) {
  await login(page, { url: A.href, form: true });
  await until(async () => (await page.getAttribute("#link", "data-state")) === "live", "live on A");
}

// The standby B holds A's sessions file, byte for byte.
export const sessionsOnB = (until) =>
  until(async () => same(env.HD_SESS_A, env.HD_SESS_B), "the sessions file on B");

// B is master in HD_TERM_B or later, and the page's toast says it took
// over in that term (the observer of the caller's init script keeps the
// toasts in window.__seen.toasts). Returns B's term.
export async function tookOver(page, until) {
  const cur = await page.evaluate(() => HD.api.get("master"));
  if (cur.master !== env.HD_NODE_B || !(cur.term >= Number(env.HD_TERM_B))) fail(JSON.stringify(cur));
  const want = `master ${env.HD_NODE_B} took over (term ${cur.term})`;
  await until(async () => (await page.evaluate(() => window.__seen.toasts)).includes(want), want);
  return cur.term;
}
