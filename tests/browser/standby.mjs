// The Standby card and the Cluster view's standby row in headless
// Chromium (playwright-core), against one master started by
// tests/integration/71-standby-card.sh: the states one master can show
// by itself. Prints one "ok - ..." / "not ok - ..." line per check.
//
//   HD_URL        https://127.0.0.1:PORT/
//   HD_USER, HD_PASSWORD   the admin
//   HD_SPKI       base64 SHA-256 of the web key's SubjectPublicKeyInfo
//   HD_EXPECT     the standby state the master is in: none | connecting
//   HD_STANDBY    the configured standby's id (HD_EXPECT=connecting)
//   HD_SHOTS      where screenshots of a failure go
//   HD_NPM_CACHE  where playwright-core is installed
import { env, WAIT_MS, fail, until, launch, tap, shot, pageErrors, login, QUIET_ARGS } from "./lib.mjs";

const NAME = env.HD_TNAME || "standby";
const { browser, page } = await launch({ args: QUIET_ARGS });
const out = tap(NAME, { lines: 4,
  onFail: (n) => shot(page, `standby-${env.HD_EXPECT}-${n}.png`) });
// Each line says which state the master is in.
const check = (desc, fn) => out.check(`${desc} (${env.HD_EXPECT})`, fn);
const errors = pageErrors(page, { console: false });

await check("log in", async () => {
  await login(page, { form: true });
});

const tile = page.locator("#overview-cluster .tile[data-standby]");
if (env.HD_EXPECT === "none") {
  await check("the Standby card says none is configured", async () => {
    await until(async () => (await tile.getAttribute("data-standby")) === "none", "the card");
    const t = await tile.textContent();
    if (!/None/.test(t) || !/no standby master is configured/.test(t)) fail(t);
  });
  await check("the Cluster view has no standby row", async () => {
    await page.click('.tabs a[data-view="cluster"]');
    await page.locator("#cluster table").waitFor({ timeout: WAIT_MS });
    if (await page.locator("#cluster tr[data-standby]").count()) fail("a standby row");
  });
} else {
  await check("the Standby card names the standby, connecting, with the term", async () => {
    await until(async () => (await tile.getAttribute("data-standby")) === "connecting", "the card");
    const t = await tile.textContent();
    if (!t.includes(env.HD_STANDBY) || !/Connecting/.test(t) || !/configured, not connected/.test(t) ||
      !/term 1/.test(t) || !/no takeover yet/.test(t)) fail(t);
    if (!(await tile.getAttribute("class")).includes("warn")) fail("not amber");
  });
  await check("the Cluster view shows both masters", async () => {
    await page.click('.tabs a[data-view="cluster"]');
    const row = page.locator(`#cluster tr[data-standby="connecting"]`);
    await row.waitFor({ timeout: WAIT_MS });
    const t = await row.textContent();
    if (!t.includes(env.HD_STANDBY) || !/standby/.test(t) || !/connecting/.test(t)) fail(t);
    const m = await page.locator("#cluster tbody tr").first().textContent();
    if (!/master/.test(m)) fail("first row: " + m);
  });
}
await check("no script error", async () => {
  if (errors.length) fail(errors.join(" | "));
});
await out.done(browser);
