// A page on another origin must not get its visitor banned: headless
// Chromium (playwright-core) opens HD_EVIL, a page that embeds 50
// scanner-path images and 10 iframes of encoded-slash paths on the
// master, then the test clicks encoded-slash links on another page; every one of those
// requests carries the browser's Sec-Fetch-* headers, so the master
// counts them as probes but scores none. Then the same browser logs in
// to the dashboard. Started by tests/integration/58-crosssite-bans.sh.
// One "ok - ..." or "not ok - ..." line per check.
//
//   HD_URL, HD_USER, HD_PASSWORD, HD_SPKI, HD_SHOTS, HD_NPM_CACHE,
//   HD_TNAME as for dashboard.mjs; HD_EVIL the other origin (its
//   index.html makes the requests, links.html has the links to click);
//   HD_MASTER_LOG the master's log; HD_LINKS how many links to click.
import fs from "node:fs";
import { env, WAIT_MS, fail, until, launch, tap, shot, login } from "./lib.mjs";

const NAME = env.HD_TNAME || "crosssite";
const { browser, page } = await launch();
// What failed, and why, for the log of a failed run.
const failed = [];
page.on("requestfailed", (r) => failed.length < 20 &&
  failed.push(`${r.url()}: ${r.failure() && r.failure().errorText}`));
const { check, done } = tap(NAME, { onFail: async (n) => {
  for (const f of failed.splice(0)) console.log(`#   request failed: ${f}`);
  await shot(page, `crosssite-fail-${n}.png`);
} });
const count = (re) => {
  try { return fs.readFileSync(env.HD_MASTER_LOG, "utf8").split("\n").filter((l) => re.test(l)).length; }
  catch (e) { return 0; }
};

// The visitor's own probes (the log's, of this browser's address).
const scanner = /probe class=scanner addr=127\.0\.0\.1:.*browser \(not scored\)/;
const slash = /probe class=bad-request addr=127\.0\.0\.1:.*encoded slash.*browser \(not scored\)/;
// The visitor's browser trusts the installation's certificate, as a
// homeowner's does: Chromium's stand-in for that trust (the SPKI list)
// takes effect on a top-level visit only; before it, Chromium aborts
// each handshake with the master, which would count as bad-tls probes
// (docs/SECURITY.md, "Known gaps").
await check("the visitor has been to the dashboard before", async () => {
  await page.goto(env.HD_URL, { timeout: WAIT_MS });
  await page.locator("#login-form").waitFor({ state: "visible", timeout: WAIT_MS });
});
await check("the other origin's page requests 50 scanner paths and 10 encoded slashes", async () => {
  await page.goto(env.HD_EVIL, { timeout: WAIT_MS });
  await until(async () => (await page.title()) === "done", "the page's 60 requests, one at a time");
});
await check("... each reaches the master, counted and not scored", async () => {
  await until(async () => count(scanner) >= 50 && count(slash) >= 10,
    "50 scanner and 10 encoded-slash probes in the log");
});
const links = Number(env.HD_LINKS || 5);
await check(`${links} encoded-slash links clicked on it are followed`, async () => {
  const before = count(slash);
  for (let i = 0; i < links; i++) {
    await page.goto(env.HD_EVIL + "links.html", { timeout: WAIT_MS });
    await Promise.all([page.waitForNavigation({ timeout: WAIT_MS }), page.click(`#link${i}`)]);
  }
  await until(async () => count(slash) >= before + links, `${links} more encoded-slash probes`);
});
await check("the visitor is not banned: the dashboard logs in", async () => {
  await login(page, { form: true });
});
await check("and its API answers the logged-in page: no ban on the visitor", async () => {
  const r = await page.evaluate(async () => (await fetch("/api/v1/security/bans")).json());
  if (!Array.isArray(r.bans)) fail(`no list of bans: ${JSON.stringify(r)}`);
  const mine = r.bans.filter((b) => b.addr === "127.0.0.1");
  if (mine.length) fail(`the visitor is banned: ${JSON.stringify(mine)}`);
});
await done(browser);
