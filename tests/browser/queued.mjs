// The dashboard and a command to a sleeping Z-Wave node, in headless
// Chromium (playwright-core), started by tests/integration/39-zwave-queued.sh
// against a real master and hd-slave on hd-zwsim: the card says the
// command is queued until the node wakes up, then shows the confirmed
// state. One "ok - ..." or "not ok - ..." line per check.
//
//   HD_URL, HD_USER, HD_PASSWORD, HD_SPKI, HD_SHOTS, HD_NPM_CACHE as for
//   dashboard.mjs; HD_ZWCTL the control FIFO of hd-zwsim; HD_NODE the
//   slave and HD_DEVICE the sleeping switch ("zw:9:0"); HD_TNAME;
//   HD_SHOTS_ALL set: also save the queued card (view-queued.png).
import { createRequire } from "node:module";
import fs from "node:fs";

const env = process.env;
const require = createRequire((env.HD_NPM_CACHE || "/var/cache/homedaemon-npm") + "/");
const { chromium } = require("playwright-core");
const NAME = env.HD_TNAME || "queued";
const WAIT_MS = Number(env.HD_WAIT_MS || 30000);	// per step: a loaded machine is slow
const QUEUED = /Queued — the device is asleep, it will act at its next wake-up/;
let failures = 0;

const fail = (m) => { throw new Error(m); };
async function check(desc, fn) {
  try {
    await fn();
    console.log(`ok - ${NAME}: ${desc}`);
  } catch (e) {
    failures++;
    console.log(`not ok - ${NAME}: ${desc}`);
    console.log("#   " + String(e && e.message || e).split("\n")[0]);
    await page.screenshot({ path: `${env.HD_SHOTS || "/tmp"}/queued-fail-${failures}.png`,
      fullPage: true }).catch(() => {});
  }
}
async function until(fn, what) {
  const t0 = Date.now();
  while (Date.now() - t0 < WAIT_MS) {
    if (await fn().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  fail(`timed out after ${WAIT_MS} ms waiting for ${what}`);
}

const browser = await chromium.launch({
  executablePath: env.HD_CHROMIUM || "/usr/bin/chromium",
  args: [
    ...(process.getuid && process.getuid() === 0 ? ["--no-sandbox"] : []),
    "--disable-background-networking", "--disable-component-update",
    "--disable-default-apps", "--disable-sync", "--no-first-run", "--no-pings",
    `--ignore-certificate-errors-spki-list=${env.HD_SPKI}`,
  ],
});
const page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
const errors = [];
page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
page.on("pageerror", (e) => errors.push(String(e)));
const card = page.locator(`article.card[data-id="${env.HD_DEVICE}"][data-node="${env.HD_NODE}"]`);
const status = card.locator(".status");
const toggle = card.locator("button.toggle");

await check("log in and find the sleeping switch's card", async () => {
  await page.goto(env.HD_URL, { timeout: WAIT_MS });
  await page.fill("#login-name", env.HD_USER);
  await page.fill("#login-pw", env.HD_PASSWORD);
  await page.press("#login-pw", "Enter");
  await page.locator("#app").waitFor({ state: "visible", timeout: WAIT_MS });
  await page.click('.tabs a[data-view="devices"]');
  await toggle.waitFor({ state: "visible", timeout: WAIT_MS });
});
let before;
await check("switched while asleep: the card says queued, not failed", async () => {
  before = await toggle.getAttribute("aria-checked");
  await toggle.click();
  await until(async () => QUEUED.test(await status.textContent()) &&
    (await status.getAttribute("class")).includes("queued"), "the queued text");
  if (/Failed/.test(await status.textContent())) fail("a failure is shown");
  if (env.HD_SHOTS_ALL)
    await card.screenshot({ path: `${env.HD_SHOTS || "/tmp"}/view-queued.png` });
});
await check("the wake-up: the confirmed state replaces the queued text", async () => {
  fs.appendFileSync(env.HD_ZWCTL, `wake ${env.HD_DEVICE.split(":")[1]}\n`);
  await until(async () => (await status.textContent()) === "" &&
    (await toggle.getAttribute("aria-checked")) === String(before !== "true"), "the new state");
});
await check("no CSP violation or script error", async () => {
  const bad = errors.filter((t) => !/status of 40[14]/.test(t));
  if (bad.length) fail(bad.join(" | "));
});
await browser.close();
process.exit(failures ? 1 : 0);
