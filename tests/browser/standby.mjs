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
import { createRequire } from "node:module";

const env = process.env;
const require = createRequire((env.HD_NPM_CACHE || "/var/cache/homedaemon-npm") + "/");
const { chromium } = require("playwright-core");
const NAME = env.HD_TNAME || "standby";
const WAIT_MS = Number(env.HD_WAIT_MS || 30000);
const shots = env.HD_SHOTS || "/tmp";
let failures = 0, page;

async function check(desc, fn) {
  try {
    await fn();
    console.log(`ok - ${NAME}: ${desc} (${env.HD_EXPECT})`);
  } catch (e) {
    failures++;
    console.log(`not ok - ${NAME}: ${desc} (${env.HD_EXPECT})`);
    console.log("#   " + String(e && e.message || e).split("\n").slice(0, 4).join("\n#   "));
    if (page) await page.screenshot({ path: `${shots}/standby-${env.HD_EXPECT}-${failures}.png`,
      fullPage: true }).catch(() => {});
  }
}
const fail = (m) => { throw new Error(m); };

// Bounded: WAIT_MS at most, polling every 200 ms.
async function until(fn, what) {
  const t0 = Date.now();
  let last;
  while (Date.now() - t0 < WAIT_MS) {
    try {
      if ((last = await fn())) return last;
    } catch (e) {
      last = e.message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  fail(`timed out after ${WAIT_MS} ms waiting for ${what}` + (last ? ` (last: ${last})` : ""));
}

const browser = await chromium.launch({
  executablePath: env.HD_CHROMIUM || "/usr/bin/chromium",
  args: [
    ...(process.getuid && process.getuid() === 0 ? ["--no-sandbox"] : []),
    "--disable-background-networking", "--disable-component-update",
    "--disable-default-apps", "--disable-sync", "--disable-translate",
    "--disable-domain-reliability", "--disable-client-side-phishing-detection",
    "--metrics-recording-only", "--no-first-run", "--no-pings",
    `--ignore-certificate-errors-spki-list=${env.HD_SPKI}`,
    "--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider",
  ],
});
page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));

await check("log in", async () => {
  await page.goto(env.HD_URL, { timeout: WAIT_MS });
  await page.locator("#login-form").waitFor({ state: "visible", timeout: WAIT_MS });
  await page.fill("#login-name", env.HD_USER);
  await page.fill("#login-pw", env.HD_PASSWORD);
  await page.press("#login-pw", "Enter");
  await page.locator("#app").waitFor({ state: "visible", timeout: WAIT_MS });
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
await browser.close();
process.exit(failures ? 1 : 0);
