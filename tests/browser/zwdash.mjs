// Z-Wave node maintenance from the dashboard in headless Chromium
// (playwright-core), started by tests/integration/73-zwave-dash.sh
// against a real master and hd-slave on hd-zwsim -7 (a 700-series stick:
// its ping figures carry a route). The Z-Wave view's node states, a ping
// with its figures, a deaf node's ping failing and the node removed with
// "Remove failed node", a failed node's replacement waiting and stopped,
// a configuration parameter read, a value out of its range refused in
// the page, another set, a heal followed to its end, another stopped;
// a user who is not an admin without the view. One "ok - ..." or
// "not ok - ..." line per check.
//
//   HD_URL, HD_USER, HD_PASSWORD, HD_SPKI, HD_SHOTS, HD_NPM_CACHE as for
//   dashboard.mjs; HD_NODE the slave; HD_ZWCTL hd-zwsim's control FIFO,
//   HD_ZWLOG its log; HD_SLAVE_LOG the slave's log;
//   HD_CFG_NODE a node with Configuration v4 (parameter 1 "LED
//   brightness", 0..99, default 50); HD_OTHER "name:password" of a user
//   (not an admin); HD_TNAME; HD_SHOTS_ALL set: a screenshot of the view
//   into HD_SHOTS.
import fs from "node:fs";
import { env, WAIT_MS, SHOTS, fail, until, launch, tap, shot, pageErrors, badErrors, login } from "./lib.mjs";

const NAME = env.HD_TNAME || "zwdash";
const CFG = Number(env.HD_CFG_NODE);
const zw = (line) => fs.appendFileSync(env.HD_ZWCTL, line + "\n");

const { browser, page } = await launch({ viewport: { width: 1400, height: 900 } });
const { check, done } = tap(NAME, { onFail: (n) => shot(page, `zwdash-fail-${n}.png`) });
const errors = pageErrors(page), posts = [];
page.on("request", (r) => r.method() === "POST" && /maintenance$/.test(r.url()) && posts.push(r.postData()));
const panel = page.locator(`#zwave section.panel[data-node="${env.HD_NODE}"]`);
const row = (n) => panel.locator(`tr[data-zwnode="${n}"]`);
const status = panel.locator(".zwmaint [role=status]");
const text = async (l) => (await l.textContent()) || "";

await check("log in and open the Z-Wave view: each node's state", async () => {
  await login(page);
  await page.click('.tabs a[data-view="zwave"]');
  await row(2).waitFor({ timeout: WAIT_MS });
  const sw = await text(row(2)), sensor = await text(row(5));
  if (!/always listening/.test(sw)) fail(`node 2: "${sw}"`);
  if (!/80 %/.test(sensor)) fail(`node 5's battery: "${sensor}"`);
  if (!/ago/.test(sw)) fail(`node 2's last report: "${sw}"`);
  if (!/100 %/.test(sw) || !/none/.test(sw)) fail(`node 2's interview and security: "${sw}"`);
  if (await panel.locator("button", { hasText: "Remove failed node" }).count())
    fail("a removal is offered for a node that answers");
});

await check("a low battery reported by node 5 shows in its row, live", async () => {
  zw("battery 5 255");
  await until(async () => /0 %\s*low battery/.test(await text(row(5).locator("td.zwbat"))), "the low battery");
  if (!/s ago/.test(await text(row(5).locator("td.zwlast")))) fail("no last report");
});

await check("ping node 2: the round trip, route, repeaters and RSSI shown", async () => {
  await row(2).locator("button", { hasText: "Ping" }).click();
  const res = row(2).locator("td.zwres");
  await until(async () => /acknowledged in \d+ ms/.test(await text(res)), "the ping's result");
  const t = await text(res);
  if (!/30 ms on the air, direct \(no repeater\), RSSI -60 dBm/.test(t)) fail(`"${t}"`);
  if (!/Last: Ping of .*zw:2:0/.test(await text(status))) fail(`status "${await text(status)}"`);
});

await check("a deaf node's ping fails; the node is shown failed, removal offered", async () => {
  zw("deaf 3");
  await row(3).locator("button", { hasText: "Ping" }).click();
  await until(async () => /failed/.test(await text(row(3).locator("td.zwres"))), "the ping failing");
  await until(async () => /failed/.test(await text(row(3).locator("td").first())), "the failed badge");
  await row(3).locator("button", { hasText: "Remove failed node" }).waitFor({ timeout: WAIT_MS });
});

await check("Remove failed node: the confirmation names it; the node leaves the list", async () => {
  await row(3).locator("button", { hasText: "Remove failed node" }).click();
  const t = await text(page.locator("#confirm"));
  if (!/Remove node 3\?/.test(t) || !/zw:3:0/.test(t) || !new RegExp(env.HD_NODE).test(t)) fail(`dialog "${t}"`);
  await page.click("#confirm-ok");
  await row(3).waitFor({ state: "detached", timeout: WAIT_MS });
  await until(async () => /Last: Removal of .*: zw:3:0 removed/.test(await text(status)), "the removal's outcome");
});

await check("Replace failed node: the wait for the new device shown, then stopped", async () => {
  zw("deaf 5");
  await row(5).locator("button", { hasText: "Ping" }).click();
  await row(5).locator("button", { hasText: "Replace failed node" }).waitFor({ timeout: WAIT_MS });
  await row(5).locator("button", { hasText: "Replace failed node" }).click();
  if (!/Replace node 5\?/.test(await text(page.locator("#confirm")))) fail("no confirmation naming node 5");
  await page.click("#confirm-ok");
  await until(async () => /Replacement of .*zw:5:0.*press the new device's button now/.test(await text(status)),
    "the replacement waiting");
  const steps = await text(panel.locator(".zwsteps"));
  if (!/Replacement: requested \(node 5\).*Replacement: ready \(node 5\)/.test(steps)) fail(`steps "${steps}"`);
  if (await row(2).locator("button", { hasText: "Ping" }).isEnabled()) fail("Ping offered during the replacement");
  await panel.locator(".zwmaint button", { hasText: "Stop" }).click();
  await until(async () => /Last: Replacement .*stopped on request/.test(await text(status)), "stopped");
});

await check(`node ${CFG}: parameter 1 read with its value, size, range, default and name`, async () => {
  await row(CFG).locator("button", { hasText: "Parameters" }).click();
  const form = panel.locator("form.zwcfgform");
  await form.locator('input[name="param"]').fill("1");
  await form.locator("button", { hasText: "Read" }).click();
  await until(async () => /Parameter 1 “LED brightness”: 50 \(1 byte, range 0\.\.99, default 50\)/.test(
    await text(form.locator(".zwcfgres"))), "the parameter");
});

await check("a value out of the parameter's range is refused in the page, nothing sent", async () => {
  const form = panel.locator("form.zwcfgform"), n = posts.length;
  await form.locator('input[name="value"]').fill("150");
  await form.locator("button", { hasText: "Set" }).click();
  await until(async () => /150 is out of the parameter's range 0\.\.99/.test(await text(form.locator(".zwcfgres"))),
    "the refusal");
  if (posts.length !== n) fail("a request went out");
});

await check("a value in range set: the node's answer shown in words", async () => {
  const form = panel.locator("form.zwcfgform");
  await form.locator('input[name="value"]').fill("42");
  await form.locator("button", { hasText: "Set" }).click();
  await until(async () => /Parameter 1\b.*: 42 \(1 byte.* — set to 42/.test(await text(form.locator(".zwcfgres"))),
    "the set confirmed");
  if (!posts.some((p) => /"op":"config_set".*"value":42/.test(p))) fail("no config_set of 42 sent");
  if (env.HD_SHOTS_ALL) await page.screenshot({ path: `${SHOTS}/zwdash-view.png`, fullPage: true });
});

await check("heal the network: progress node by node, then its end", async () => {
  await panel.locator(".zwmaint button", { hasText: "Heal the network" }).click();
  if (!/Heal the network of/.test(await text(page.locator("#confirm")))) fail("no confirmation");
  await page.click("#confirm-ok");
  // Under way (no "Last:"), a node done of all, before the end.
  await until(async () => /^Heal of the network: .* \d+ of \d+/.test(await text(status)), "a node's progress");
  await until(async () => /Last: Heal of the network: \d of \d nodes healed/.test(await text(status)), "the heal's end");
  const m = panel.locator(".zwmaint meter");
  if (await m.getAttribute("value") !== await m.getAttribute("max")) fail("the meter is not full");
});

await check("a heal stopped: the node under way ends it, said so", async () => {
  // The stick holds node 4's neighbour update until the slave has the
  // stop: it then ends after node 4, whatever the machine's speed.
  const log = (f, re) => async () => re.test(fs.readFileSync(f, "utf8"));
  zw("routehold 4");
  await panel.locator(".zwmaint button", { hasText: "Heal the network" }).click();
  await page.click("#confirm-ok");
  await until(log(env.HD_ZWLOG, /zwsim: node 4: neighbour update held/), "node 4's update held");
  await until(async () => /^Heal of the network: .* 1 of 4/.test(await text(status)), "node 2 healed");
  await panel.locator(".zwmaint button", { hasText: "Stop" }).click();
  await until(log(env.HD_SLAVE_LOG, /zwave: stop of node 0 requested by admin/), "the slave told to stop");
  zw("routego");
  await until(async () => /Last: Heal of the network: stopped on request after 2 of 4 nodes: 2 healed\s*failed/.test(
    await text(status)), "the heal stopped after node 4");
  if (await panel.locator(".zwmaint button", { hasText: "Stop" }).count()) fail("Stop still offered");
});

await check("a user (not an admin) has no Z-Wave view, and the API refuses a ping", async () => {
  const [name, pw] = env.HD_OTHER.split(":");
  const p = await (await browser.newContext()).newPage();
  await p.goto(env.HD_URL + "#/zwave", { timeout: WAIT_MS });
  await p.fill("#login-name", name);
  await p.fill("#login-pw", pw);
  await p.press("#login-pw", "Enter");
  await p.locator("#view-overview").waitFor({ state: "visible", timeout: WAIT_MS });
  if (await p.locator('.tabs a[data-view="zwave"]').isVisible()) fail("the Z-Wave tab is shown");
  if (await p.locator("#view-zwave").isVisible()) fail("#/zwave is shown");
  if (await p.locator("#zwave button").count()) fail("maintenance buttons drawn");
  const st = await p.evaluate((n) => HD.api.post(`zwave/${encodeURIComponent(n)}/maintenance`,
    { op: "ping", node: 2 }).then(() => 200, (e) => e.status), env.HD_NODE);
  if (st !== 403) fail(`the API answered ${st}`);
  await p.close();
});

await check("no script error in the page (beside a 401 before the login and optional 404s)", async () => {
  const bad = badErrors(errors);
  if (bad.length) fail(bad.join("; "));
});
await done(browser);
