// S2 inclusion through the dashboard in headless Chromium (playwright-core),
// started by tests/integration/43-zwave-js-s2.sh against a real master and
// hd-slave on the zwave-js mock: the Z-Wave panel's "Include a device", the
// S2 class choice (what the lock asks for, checked), the DSK with its PIN
// field, then the panel saying what was granted. One "ok - ..." or
// "not ok - ..." line per check.
//
//   HD_URL, HD_USER, HD_PASSWORD, HD_SPKI, HD_SHOTS, HD_NPM_CACHE as for
//   dashboard.mjs; HD_NODE the slave; HD_PIN_FILE the mock's log, where
//   the lock's PIN appears (HD-S2-PIN NODE DIGITS) once it exists;
//   HD_LOCK its node id; HD_QR a QR code string and HD_QR_DSK its DSK, pasted
//   into the provisioning list, seen listed, then removed; HD_TNAME.
import fs from "node:fs";
import { env, WAIT_MS, fail, launch, tap, shot, pageErrors, badErrors, login } from "./lib.mjs";

const NAME = env.HD_TNAME || "s2incl";
const { browser, page } = await launch();
const { check, done } = tap(NAME, { onFail: (n) => shot(page, `s2incl-fail-${n}.png`) });
const errors = pageErrors(page);
const panel = page.locator(`section.panel[data-node="${env.HD_NODE}"]`);

await check("log in and open the Z-Wave panel", async () => {
  await login(page);
  await page.click('.tabs a[data-view="zwave"]');
  await panel.locator("button", { hasText: "Include a device" }).waitFor({ timeout: WAIT_MS });
});
await check("include: the lock's S2 request is shown, Access Control checked", async () => {
  await panel.locator("button", { hasText: "Include a device" }).click();
  await page.click("#confirm-ok");
  const box = panel.locator('form.s2grant input[name="s2_access_control"]');
  await box.waitFor({ timeout: WAIT_MS });
  if (!(await box.isChecked())) fail("not checked");
  if (await panel.locator('form.s2grant input[type="checkbox"]').count() !== 1)
    fail("other classes offered than the lock asked for");
});
await check("grant: the DSK is shown with a PIN field", async () => {
  await panel.locator("form.s2grant button.primary").click();
  await panel.locator("form.s2pin input").waitFor({ timeout: WAIT_MS });
  const dsk = await panel.locator("form.s2pin code").textContent();
  if (!/^_____(-\d{5}){7}$/.test(dsk)) fail(`DSK "${dsk}"`);
});
await check("the PIN from the label: S2 Access Control granted", async () => {
  const re = new RegExp(`HD-S2-PIN ${env.HD_LOCK} (\\d{5})`);
  const m = fs.readFileSync(env.HD_PIN_FILE, "utf8").match(re);
  if (!m) fail("no PIN in the mock's log");
  await panel.locator("form.s2pin input").fill(m[1]);
  await panel.locator("form.s2pin button.primary").click();
  await panel.locator("p", { hasText: `Node ${env.HD_LOCK}: S2 Access Control` }).waitFor({ timeout: WAIT_MS });
  if (await panel.locator(".s2bad").count()) fail("a downgrade is shown");
});
await check("the node list says S2 access control", async () => {
  await page.reload();
  await page.click('.tabs a[data-view="zwave"]');
  await panel.locator("td", { hasText: "s2 access control" }).first().waitFor({ timeout: WAIT_MS });
});
await check("a QR code pasted: listed with its DSK, then removed", async () => {
  const prov = panel.locator("details.s2prov");
  await prov.locator("summary").click();
  await prov.locator("form.s2provadd input").fill(env.HD_QR);
  await prov.locator("form.s2provadd button").click();
  const row = prov.locator("tr", { hasText: env.HD_QR_DSK });
  await row.waitFor({ timeout: WAIT_MS });
  await row.locator("button", { hasText: "Remove" }).click();
  await prov.locator("tr", { hasText: env.HD_QR_DSK }).waitFor({ state: "detached", timeout: WAIT_MS });
});
await check("no script error in the page (beside a 401 before the login and optional 404s)", async () => {
  const bad = badErrors(errors);
  if (bad.length) fail(bad.join("; "));
});
await done(browser);
