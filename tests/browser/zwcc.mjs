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
import { createRequire } from "node:module";

const env = process.env;
const require = createRequire((env.HD_NPM_CACHE || "/var/cache/homedaemon-npm") + "/");
const { chromium } = require("playwright-core");
const NAME = env.HD_TNAME || "zwcc";
const WAIT_MS = Number(env.HD_WAIT_MS || 30000);	// per step: a loaded machine is slow
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
    await page.screenshot({ path: `${env.HD_SHOTS || "/tmp"}/zwcc-fail-${failures}.png`,
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
const control = card.locator(env.HD_CONTROL === "color" ? 'input[type="color"]' : "select");

await check(`log in and find the ${env.HD_CONTROL} control on the card`, async () => {
  await page.goto(env.HD_URL, { timeout: WAIT_MS });
  await page.fill("#login-name", env.HD_USER);
  await page.fill("#login-pw", env.HD_PASSWORD);
  await page.press("#login-pw", "Enter");
  await page.locator("#app").waitFor({ state: "visible", timeout: WAIT_MS });
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
  const bad = errors.filter((t) => !/status of 40[14]/.test(t));
  if (bad.length) fail(bad.join(" | "));
});
await browser.close();
process.exit(failures ? 1 : 0);
