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
import fs from "node:fs";
import { env, WAIT_MS, SHOTS, fail, until, launch, tap, shot, pageErrors, badErrors, login } from "./lib.mjs";

const NAME = env.HD_TNAME || "queued";
const QUEUED = /Queued — the device is asleep, it will act at its next wake-up/;
const { browser, page } = await launch();
const { check, done } = tap(NAME, { onFail: (n) => shot(page, `queued-fail-${n}.png`) });
const errors = pageErrors(page);
const card = page.locator(`article.card[data-id="${env.HD_DEVICE}"][data-node="${env.HD_NODE}"]`);
const status = card.locator(".status");
const toggle = card.locator("button.toggle");

await check("log in and find the sleeping switch's card", async () => {
  await login(page);
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
    await card.screenshot({ path: `${SHOTS}/view-queued.png` });
});
await check("the wake-up: the confirmed state replaces the queued text", async () => {
  fs.appendFileSync(env.HD_ZWCTL, `wake ${env.HD_DEVICE.split(":")[1]}\n`);
  await until(async () => (await status.textContent()) === "" &&
    (await toggle.getAttribute("aria-checked")) === String(before !== "true"), "the new state");
});
await check("no CSP violation or script error", async () => {
  const bad = badErrors(errors);
  if (bad.length) fail(bad.join(" | "));
});
await done(browser);
