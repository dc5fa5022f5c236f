// A thermostat's mode select and a colour light's colour input on the
// dashboard, in headless Chromium (playwright-core), started by
// tests/integration/26-zwave-thermo.sh and 28-zwave-color.sh against a
// real master and hd-slave on hd-zwsim: the control shows the device's
// value, a choice sends the command, and the confirmed value stays.
// One "ok - ..." or "not ok - ..." line per check.
//
//   HD_URL, HD_USER, HD_PASSWORD, HD_SPKI, HD_SHOTS, HD_NPM_CACHE as for
//   dashboard.mjs; HD_NODE the slave, HD_DEVICE the device ("zw:9:0");
//   HD_CONTROL "mode" or "color"; HD_FROM the value shown first, HD_TO
//   the one chosen; HD_TNAME.
import { env, WAIT_MS, fail, until, launch, tap, shot, pageErrors, badErrors, login } from "./lib.mjs";

const NAME = env.HD_TNAME || "zwcc";
const { browser, page } = await launch();
const { check, done } = tap(NAME, { onFail: (n) => shot(page, `zwcc-fail-${n}.png`) });
const errors = pageErrors(page);
const card = page.locator(`article.card[data-id="${env.HD_DEVICE}"][data-node="${env.HD_NODE}"]`);
const control = card.locator(env.HD_CONTROL === "color" ? 'input[type="color"]' : "select");

await check(`log in and find the ${env.HD_CONTROL} control on the card`, async () => {
  await login(page);
  await page.click('.tabs a[data-view="devices"]');
  await control.waitFor({ state: "visible", timeout: WAIT_MS });
});
await check(`it shows the device's ${env.HD_FROM}`, async () => {
  await until(async () => (await control.inputValue()) === env.HD_FROM &&
    !(await control.isDisabled()), `${env.HD_FROM}, enabled`);
});
await check(`${env.HD_TO} chosen: sent, confirmed, shown`, async () => {
  if (env.HD_CONTROL === "color")
    await control.fill(env.HD_TO);
  else
    await control.selectOption(env.HD_TO);
  await until(async () => (await control.inputValue()) === env.HD_TO &&
    !(await control.isDisabled()) &&
    (await card.locator(".status").textContent()) === "", `${env.HD_TO} confirmed`);
});
await check("no CSP violation or script error", async () => {
  const bad = badErrors(errors);
  if (bad.length) fail(bad.join(" | "));
});
await done(browser);
