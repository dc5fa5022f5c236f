// End-to-end test of the dashboard in headless Chromium, driven by
// playwright-core, against a real master and slaves with simulated
// hardware (started by tests/integration/70-dashboard.sh, which passes
// everything through the environment). Prints one "ok - ..." or
// "not ok - ..." line per check (or "skip - ..." for a part whose API
// this master does not have yet); a failed check saves a screenshot of
// every open page into HD_SHOTS.
//
//   HD_URL        https://127.0.0.1:PORT/
//   HD_USER, HD_PASSWORD   the admin made with hd-master -U
//   HD_SHOTS      where screenshots go (the test's log folder)
//   HD_SHOTS_ALL  set: also save the reference screenshots of each view
//   HD_OFF_PID    a slave to stop (SIGSTOP) and continue
//   HD_OFF_SITE   its site
//   HD_SLAVE_LOG  the log of the slave whose lamp is switched
//   HD_MASTER_LOG the master's log (the web process's pid is read there)
//   HD_ZWCTL      the control FIFO of hd-zwsim (battery reports)
//   HD_SPKI       base64 SHA-256 of the web key's SubjectPublicKeyInfo:
//                 Chromium trusts that key (as a user who imported the
//                 CA would); ignoring certificate errors instead makes it
//                 abort each first handshake, which the engine counts as
//                 a bad-tls probe and bans
//   HD_NPM_CACHE  where playwright-core is installed
import fs from "node:fs";
import net from "node:net";
import https from "node:https";
import { env, WAIT_MS, SHOTS as shots, fail, until, launch, tap, pageErrors, badErrors, QUIET_ARGS } from "./lib.mjs";

const NAME = env.HD_TNAME || "dashboard";
let pages = [], shotN = 0;

// A failure: a screenshot of every open page, the phone's too.
async function screenshot(tag) {
  for (const [i, p] of pages.entries()) {
    if (p.isClosed()) continue;
    const f = `${shots}/${String(++shotN).padStart(2, "0")}-${tag}-${i}.png`;
    await p.screenshot({ path: f, fullPage: true }).catch(() => {});
  }
}
const { check, skip, done } = tap(NAME, { lines: 4,
  onFail: (n, desc) => screenshot(desc.replace(/[^A-Za-z0-9]+/g, "-").slice(0, 40)) });
const fileHas = (f, re) => { try { return re.test(fs.readFileSync(f, "utf8")); } catch (e) { return false; } };

// The API as the logged-in page sees it (its cookie), for cross-checks.
const apiGet = (page, path) => page.evaluate(async (p) => {
  const r = await fetch("/api/v1/" + p);
  return { status: r.status, body: r.ok ? await r.json() : null };
}, path);

// The API from outside the browser (another session), for changes the
// page must learn from the stream. Our own test server: its certificate
// is not checked here (the browser does check it).
function outside(method, path, body, h = {}) {
  const u = new URL(env.HD_URL);
  return new Promise((res, rej) => {
    const r = https.request({ host: u.hostname, port: u.port, path: "/api/v1/" + path, method,
      rejectUnauthorized: false, headers: Object.assign({ "Content-Type": "application/json" }, h) }, (rs) => {
      let b = "";
      rs.on("data", (d) => (b += d));
      rs.on("end", () => res({ status: rs.statusCode, headers: rs.headers, body: b ? JSON.parse(b) : null }));
    });
    r.on("error", rej);
    r.end(body ? JSON.stringify(body) : undefined);
  });
}

// One plain-HTTP request on the TLS port: a probe of class plain-http,
// from `from` (another loopback address) if given.
function probe(url, from) {
  const u = new URL(url);
  return new Promise((res) => {
    const s = net.connect({ port: Number(u.port), host: u.hostname, localAddress: from },
      () => s.end("GET /probe HTTP/1.0\r\n\r\n"));
    s.on("data", () => {});
    s.on("close", res);
    s.on("error", res);
    s.setTimeout(5000, () => s.destroy());
  });
}

// Nothing but the master: no update checks, field trials, sync,
// safe-browsing lists, translation or metrics pings.
const { browser, page } = await launch({ args: QUIET_ARGS, context: { colorScheme: "light" } });
pages.push(page);
const consoleErrors = pageErrors(page);
const cspErrors = () => consoleErrors.filter((t) => /Content Security Policy/i.test(t));
const shot = async (p, tag) => env.HD_SHOTS_ALL && p.screenshot({ path: `${shots}/view-${tag}.png`, fullPage: true });
const card = (id, node) => page.locator(`article.card[data-id="${id}"]` + (node ? `[data-node="${node}"]` : ""));

// 1. Login
await check("the login page is served and shown", async () => {
  await page.goto(env.HD_URL, { timeout: WAIT_MS });
  await page.locator("#login-form").waitFor({ state: "visible", timeout: WAIT_MS });
  await shot(page, "login");
});
await check("a wrong password is refused with a visible message", async () => {
  await page.fill("#login-name", env.HD_USER);
  await page.fill("#login-pw", "not the password");
  await page.click("#login-submit");
  await until(async () => (await page.textContent("#login-error")).includes("Wrong name or password"),
    "the refusal");
  if (!(await page.isVisible("#login-form"))) fail("left the login page");
});
await check("the right password opens the dashboard", async () => {
  await page.fill("#login-pw", env.HD_PASSWORD);
  await page.press("#login-pw", "Enter");
  await page.locator("#app").waitFor({ state: "visible", timeout: WAIT_MS });
  await until(async () => (await page.textContent("#who")).includes(env.HD_USER), "the user's name");
});
await check("a reload keeps the session (no second login)", async () => {
  const t0 = Date.now();
  await page.reload();
  await page.locator("#app").waitFor({ state: "visible", timeout: WAIT_MS });
  if (await page.isVisible("#login")) fail("login shown again");
  // A measure, not a check: this machine is shared and loaded.
  await page.locator("#overview-sites > *").first().waitFor({ timeout: WAIT_MS });
  const bytes = await page.evaluate(() => performance.getEntriesByType("resource")
    .concat(performance.getEntriesByType("navigation")).reduce((n, e) => n + (e.transferSize || 0), 0));
  console.log(`# overview drawn ${Date.now() - t0} ms after a reload (${bytes} bytes transferred)`);
});
await check("the strict CSP is honoured: no violation, no script error", async () => {
  if (badErrors(consoleErrors).length)
    fail(consoleErrors.join(" | "));
});

const devices = await apiGet(page, "devices");
const haveApi = devices.status === 200;
const stream = await page.evaluate(async () => {
  const c = new AbortController(), r = await fetch("/api/v1/stream", { signal: c.signal });
  c.abort();
  return r.status;
}).catch(() => 0);
const haveStream = stream === 200;

if (!haveApi) {
  for (const d of ["overview lists the sites", "a switch is toggled and confirmed by the slave",
    "a sensor value changes live", "a slave goes offline and comes back"])
    skip(d, `GET /api/v1/devices answers ${devices.status}`);
  await check("without the device API the views say so instead of failing", async () => {
    await page.click('.tabs a[data-view="devices"]');
    await until(async () => /not available/.test(await page.textContent("#devices")), "the notice");
  });
} else {
  const list = devices.body.devices;
  const lamp = list.find((d) => d.id === "sim:lamp" && d.site !== env.HD_OFF_SITE);
  const sites = [...new Set(list.map((d) => d.site))].sort();

  // 2. Overview and cards
  await check(`the overview shows each site's health (${sites.join(", ")})`, async () => {
    await page.click('.tabs a[data-view="overview"]');
    for (const s of sites)
      await until(async () => /1\/1/.test(await page.locator(`.tile.site[data-site="${s}"]`).textContent()),
        `site ${s} with 1/1 slaves online`);
    await shot(page, "overview");
  });
  if (haveStream)
    await check("the link to the master shows live", async () =>
      until(async () => (await page.getAttribute("#link", "data-state")) === "live", "state live"));
  else skip("the link to the master shows live", `GET /api/v1/stream answers ${stream}`);

  await check("device cards are grouped by site and room", async () => {
    await page.click('.tabs a[data-view="devices"]');
    await until(async () => (await page.locator("article.card").count()) === list.length,
      `${list.length} cards`);
    for (const s of sites)
      if (!(await page.locator(`section.site[data-site="${s}"] .roomname`).count())) fail(`no room under ${s}`);
    await shot(page, "devices");
  });

  await check("a switch is toggled, shows pending, then the state the slave confirmed", async () => {
    const t = card(lamp.id, lamp.node).locator("button.toggle");
    const before = (await t.getAttribute("aria-checked")) === "true";
    await t.click();
    await until(async () => (await t.getAttribute("aria-checked")) === String(!before) &&
      !(await card(lamp.id, lamp.node).getAttribute("class")).includes("pending"), "the confirmed state");
    const d = await apiGet(page, `devices/${lamp.node}/${lamp.id}`);
    if (d.body.values.find((v) => v.key === "on").value !== !before) fail("the master holds another value");
    if (env.HD_SLAVE_LOG && !fileHas(env.HD_SLAVE_LOG, /command \d+ on sim:lamp/))
      fail("the slave never logged the command");
  });

  await check("the switch works from the keyboard (Space)", async () => {
    const t = card(lamp.id, lamp.node).locator("button.toggle");
    const before = await t.getAttribute("aria-checked");
    await t.focus();
    await page.keyboard.press("Space");
    await until(async () => (await t.getAttribute("aria-checked")) !== before &&
      !(await card(lamp.id, lamp.node).getAttribute("class")).includes("pending"), "the new state");
  });

  const pump = list.find((d) => d.kind === "gpio_out");
  if (pump)
    await check("a GPIO output pulses: on, confirmed, then off again", async () => {
      const c = card(pump.id, pump.node), t = c.locator("button.toggle");
      await c.locator("button", { hasText: "Pulse" }).click();
      await until(async () => !(await c.getAttribute("class")).includes("pending") &&
        (await c.locator(".status").textContent()) === "", "the confirmed pulse");
      await until(async () => (await t.getAttribute("aria-checked")) === "false", "off after the pulse");
      if (!fileHas(env.HD_SLAVE_LOG, new RegExp(`command \\d+ on ${pump.id}`)))
        fail("the slave never logged the pulse");
    });
  else skip("a GPIO output pulses", "no GPIO output");

  const dimmer = list.find((d) => d.kind === "dimmer");
  if (dimmer)
    await check("a dimmer's slider sets a level the device confirms", async () => {
      const c = card(dimmer.id, dimmer.node), r = c.locator('input[type="range"]');
      const want = (await r.inputValue()) === "40" ? "60" : "40";
      await r.fill(want);
      await until(async () => !(await c.getAttribute("class")).includes("pending") &&
        (await c.locator("output.level").textContent()).startsWith(want), `level ${want} confirmed`);
      const d = await apiGet(page, `devices/${dimmer.node}/${dimmer.id}`);
      if (d.body.values.find((v) => v.key === "level").value !== Number(want)) fail("the master holds another level");
      if ((await c.locator(".status").textContent()) !== "") fail("a failure is shown");
    });
  else skip("a dimmer's slider sets a level", "no dimmer");

  const contact = list.find((d) => d.kind === "binary_sensor" && d.values.some((v) => v.key === "battery"));
  if (contact && env.HD_ZWCTL)
    await check("a low battery shows on the card and in the site's health", async () => {
      fs.appendFileSync(env.HD_ZWCTL, `battery ${contact.id.split(":")[1]} 255\n`);
      await card(contact.id, contact.node).locator(".badge", { hasText: "battery" }).first().waitFor({ timeout: WAIT_MS });
      await page.click('.tabs a[data-view="overview"]');
      await until(async () => /1 low battery/.test(await page.locator(`.tile.site[data-site="${contact.site}"]`).textContent()),
        "1 low battery on the site tile");
      await page.click('.tabs a[data-view="devices"]');
    });
  else skip("a low battery shows", "no battery device or no stick control");

  await check("a refused command is shown on the card, not swallowed", async () => {
    await page.evaluate(([n, i]) => {
      const d = HD.store.devices.get(n + "/" + i);
      HD.devs.command(d, "on", "not a boolean");
    }, [lamp.node, lamp.id]);
    await until(async () => /Failed/.test(await card(lamp.id, lamp.node).locator(".status").textContent()),
      "the failure on the card");
    if (!(await page.locator(".toast").count())) fail("no toast");
  });

  const temp = list.find((d) => d.id === "sim:temp" && d.node === lamp.node);
  if (haveStream)
    await check("a sensor value changes live, without a reload", async () => {
      await page.evaluate(() => (window.__sameDocument = true));
      const v = card(temp.id, temp.node).locator(".reading .value").first();
      const first = await v.textContent();
      await until(async () => (await v.textContent()) !== first, `a new reading (was ${first})`);
      if (!(await page.evaluate(() => window.__sameDocument))) fail("the page was reloaded");
    });
  else skip("a sensor value changes live", "no stream");

  await check("the history chart opens in SVG", async () => {
    const b = card(temp.id, temp.node).locator(".sparkbtn");
    await b.waitFor({ timeout: WAIT_MS });
    await b.click();
    await page.locator("#history svg.hchart").waitFor({ timeout: WAIT_MS });
    await page.click('#history [data-range="day"]');
    await until(async () => (await page.getAttribute('#history [data-range="day"]', "aria-pressed")) === "true",
      "the day range");
    await page.locator("#history svg.hchart").waitFor({ timeout: WAIT_MS });
    await shot(page, "history");
    await page.keyboard.press("Escape");
    await until(async () => !(await page.isVisible("#history")), "the dialog to close");
  });

  // 3. Security: a probe appears live
  if (haveStream)
    await check("a probe appears in the security panel", async () => {
      await page.click('.tabs a[data-view="security"]');
      await page.locator("#sec-live").waitFor({ timeout: WAIT_MS });
      await probe(env.HD_URL);
      await until(async () => (await page.locator('#sec-live tr.probe[data-class="plain-http"]').count()) > 0,
        "a plain-http probe row");
      await shot(page, "security");
    });
  else skip("a probe appears in the security panel", "no stream");

  const stats = await apiGet(page, "security/probes");
  if (stats.status === 200 && haveStream) {
    await check("the probe is counted per class and drawn over time", async () => {
      await until(async () => Number(await page.locator('#sec-stats tr[data-class="plain-http"] td').first()
        .textContent()) >= 1, "plain-http counted");
      if (!(await page.locator("#sec-stats svg.stacked rect.s0").count())) fail("no plain-http bar in the chart");
    });
    await check("an address earns a ban, shown with Unban; unbanned after a confirmation", async () => {
      for (let i = 0; i < 5; i++) await probe(env.HD_URL, "127.0.0.2");
      await page.click('.tabs a[data-view="overview"]');
      await page.click('.tabs a[data-view="security"]');
      const row = page.locator('#security tr[data-addr="127.0.0.2"]');
      await row.waitFor({ timeout: WAIT_MS });
      await row.locator("button", { hasText: "Unban" }).click();
      await page.locator("#confirm").waitFor({ state: "visible", timeout: WAIT_MS });
      await page.click("#confirm-ok");
      await until(async () => !(await row.count()), "the ban gone from the table");
      const b = await apiGet(page, "security/bans");
      if (b.body.bans.some((x) => x.addr === "127.0.0.2")) fail("the master still bans it");
    });
  } else skip("probes per class, bans and unban", `GET /api/v1/security/probes answers ${stats.status}`);

  // 4. A slave goes offline and comes back
  if (env.HD_OFF_PID && haveStream) {
    const site = env.HD_OFF_SITE;
    const tile = page.locator(`.tile.site[data-site="${site}"]`);
    await check(`a stopped slave shows offline (${site})`, async () => {
      await page.click('.tabs a[data-view="overview"]');
      process.kill(Number(env.HD_OFF_PID), "SIGSTOP");
      await until(async () => /0\/1/.test(await tile.textContent()) &&
        (await tile.getAttribute("class")).includes("bad"), "0/1 online");
      await shot(page, "offline");
    });
    await check(`it comes back online (${site})`, async () => {
      process.kill(Number(env.HD_OFF_PID), "SIGCONT");
      await until(async () => /1\/1/.test(await tile.textContent()), "1/1 online");
    });
  } else skip("a slave goes offline and comes back", "no stream or no slave to stop");

  // 5. The stream drops (the web process dies) and resumes
  if (env.HD_MASTER_LOG && haveStream) {
    await check("a dropped link shows reconnecting, then live again", async () => {
      const pids = fs.readFileSync(env.HD_MASTER_LOG, "utf8").match(/web process (\d+) serving/g);
      const pid = Number(pids[pids.length - 1].split(" ")[2]);
      process.kill(pid, "SIGKILL");
      await until(async () => (await page.getAttribute("#link", "data-state")) === "reconnecting",
        "the reconnecting state");
      await until(async () => (await page.getAttribute("#link", "data-state")) === "live", "live again");
    });
    await check("after the resume values still arrive", async () => {
      await page.click('.tabs a[data-view="devices"]');
      const v = card(temp.id, temp.node).locator(".reading .value").first();
      await v.waitFor({ timeout: WAIT_MS });
      const first = await v.textContent();
      await until(async () => (await v.textContent()) !== first, "a new reading after the resume");
    });
  }

  // 5b. Z-Wave: include a node the stick simulator offers, then exclude it.
  const zwNode = list.find((d) => d.id.startsWith("zw:"));
  const zwApi = zwNode ? await apiGet(page, `zwave/${zwNode.node}/inclusion`) : { status: 0 };
  if (zwApi.status === 200 && env.HD_ZWCTL) {
    const sec = page.locator(`#zwave section[data-node="${zwNode.node}"]`);
    await check("Z-Wave: the node list shows interview and security", async () => {
      await page.click('.tabs a[data-view="zwave"]');
      await until(async () => (await sec.locator("tbody tr").count()) >= 4, "the stick's nodes");
    });
    await check("Z-Wave: an inclusion shows its steps live and ends with the new node listed", async () => {
      await sec.locator("button", { hasText: "Include a device" }).click();
      await page.click("#confirm-ok");
      await until(async () => /press the device's button/.test(await sec.locator(".zwctl").textContent()),
        "learn mode on");
      await shot(page, "zwave");
      fs.appendFileSync(env.HD_ZWCTL, "join 6 10 25 20 86 72\n");
      await until(async () => /zw:6:0/.test(await sec.locator("tbody").textContent()), "node 6 in the list");
      await until(async () => /Idle/.test(await sec.locator(".zwctl").textContent()), "idle again");
      if (!/done/.test(await sec.locator(".steps").textContent())) fail("no done step shown");
    });
    await check("Z-Wave: an exclusion removes it", async () => {
      await sec.locator("button", { hasText: "Exclude a device" }).click();
      await page.click("#confirm-ok");
      await until(async () => /Exclusion/.test(await sec.locator(".zwctl").textContent()), "exclusion on");
      fs.appendFileSync(env.HD_ZWCTL, "leave 6\n");
      await until(async () => !/zw:6:0/.test(await sec.locator("tbody").textContent()), "node 6 gone");
    });
  } else skip("Z-Wave inclusion from the dashboard", `GET /api/v1/zwave/.../inclusion answers ${zwApi.status}`);

  if (haveStream)
    await check("a change made while the stream is closed arrives on resume, from the backlog (no re-read)", async () => {
      const login = await outside("POST", "login", { name: env.HD_USER, password: env.HD_PASSWORD });
      const auth = { Cookie: String(login.headers["set-cookie"]).split(";")[0], "X-CSRF-Token": login.body.csrf };
      await page.click('.tabs a[data-view="devices"]');
      const t = card(lamp.id, lamp.node).locator("button.toggle");
      const before = (await t.getAttribute("aria-checked")) === "true";
      // Close the page's stream as a dropped link would (its last event
      // id kept), change the lamp from outside, then reconnect.
      await page.evaluate(() => HD.stream.stop());
      const r = await outside("POST", `devices/${lamp.node}/${lamp.id}/values/on`, { value: !before }, auth);
      await until(async () => (await outside("GET", "commands/" + r.body.id, null, auth)).body.status === "ok",
        "the command done");
      if ((await t.getAttribute("aria-checked")) !== String(before)) fail("the page changed with its stream closed");
      let rereads = 0;
      const count = (q) => /\/api\/v1\/devices(\?|$)/.test(q.url()) && rereads++;
      page.on("request", count);
      await page.evaluate(() => HD.stream.start());
      await until(async () => (await page.getAttribute("#link", "data-state")) === "live" &&
        (await t.getAttribute("aria-checked")) === String(!before), "the new state after the resume");
      page.off("request", count);
      if (rereads) fail(`the device list was read again ${rereads} times`);
    });

  await check("the cluster view lists every node with its round trip and certificate expiry", async () => {
    await page.click('.tabs a[data-view="cluster"]');
    const nodes = [...new Set(list.map((d) => d.node))];
    for (const n of nodes) {
      const row = page.locator(`#cluster tr[data-node="${n}"]`);
      await row.waitFor({ timeout: WAIT_MS });
      await until(async () => {
        const cells = await row.locator("td").allTextContents();
        return /^\d+ ms$/.test(cells[4]) && /\(\d+ d\)$/.test(cells[7]);
      }, `round trip and certificate of ${n}`);
    }
    await shot(page, "cluster");
  });
}

// 6. A phone, in dark mode
// 5b'. Events and modes (the scheduler)
const evs = haveApi ? await apiGet(page, "events") : { status: 0 };
if (evs.status === 200 && evs.body.total > 0) {
  const row = (n) => page.locator(`#events tr[data-event="${n}"]`);
  await check("events: each with its next firing, enabled", async () => {
    await page.click('.tabs a[data-view="events"]');
    for (const e of evs.body.events) await row(e.name).waitFor({ timeout: WAIT_MS });
    if (!/\d/.test(await row("morning").locator("td").first().textContent())) fail("no next firing");
    await shot(page, "events");
  });
  await check("events: a site's event shows its site, its zone's time, where it can run, and a forgotten site", async () => {
    const r = row("holiday-lamp");
    await r.locator('.site[data-site="holiday"]').waitFor({ timeout: WAIT_MS });
    if (await r.locator('.sitetime[data-zone="America/New_York"]').count() !== 1) fail("no time in the site's zone");
    if (!/ 9:00\b|21:00/.test(await r.locator(".sitetime").textContent())) fail("not 21:00 in the site's zone");
    if (await r.locator('.local[data-local="slave-barn"]').count() !== 1) fail("not local-capable on slave-barn");
    if (!/master only/.test(await row("morning").locator(".local").textContent())) fail("morning is not master only");
    if (await r.locator('.sitewarn[data-site="Barn"]').count() !== 1) fail("the Barn's switch under site holiday not flagged");
  });
  const varText = async (n) => (await page.locator(`#events .var[data-var="${n}"]`).textContent()).trim();
  await check("events: Run now fires it (last fired and result shown)", async () => {
    if (!/^scenes\s*0$/.test(await varText("scenes"))) fail("the counter does not show 0 before the run");
    if (!/^scene-at\s*never$/.test(await varText("scene-at"))) fail("the timestamp does not show never");
    await row("scene").locator("button", { hasText: "Run now" }).click();
    await until(async () => /s ago/.test(await row("scene").locator("td").nth(1).textContent()), "last fired");
    await until(async () => (await row("scene").locator('.ran[data-ran="master"]').count()) === 1,
      "where it ran: on the master");
  });
  await check("events: the counter and timestamp the run changed are shown", async () => {
    await until(async () => /^scenes\s*1$/.test(await varText("scenes")) &&
      /^scene-at\s*\d+ s ago$/.test(await varText("scene-at")), "scenes 1, scene-at a few s ago");
  });
  await check("events: disabling one takes its next firing away", async () => {
    await row("morning").locator("button.toggle").click();
    await until(async () => (await row("morning").locator("button.toggle").getAttribute("aria-checked")) === "false" &&
      (await row("morning").locator("td").first().textContent()) === "—", "disabled, no next firing");
    const e = await apiGet(page, "events");
    if (e.body.events.find((x) => x.name === "morning").enabled) fail("the master still has it enabled");
  });
  await check("events: a sun trigger without an event today says why (one of two complementary day sets)", async () => {
    // One API answer, one "today": whatever the day, exactly one of the
    // two has no sunrise today, for not being one of its days.
    const why = page.locator('#events tr[data-event^="sunrise-"] .sunwhy[data-sun="not_today"]');
    await until(async () => (await why.count()) === 1, "one 'not one of its days' note");
    if (!/^no sunrise today: not one of its days$/.test(await why.textContent())) fail("wrong text");
    if (await page.locator('#events tr[data-event^="sunrise-"] .sunwhy').count() !== 1) fail("a note on the other");
  });
  await check("modes: a mode set from the page is the master's", async () => {
    await page.selectOption('#events select[aria-label="Mode house"]', "away");
    await until(async () => (await apiGet(page, "modes")).body.modes.find((m) => m.name === "house").value === "away",
      "house = away");
  });
  if (env.HD_EVENTS) await check("events: a refused reload shows file:line:col, a good one clears it", async () => {
    const good = fs.readFileSync(env.HD_EVENTS, "utf8");
    const errs = page.locator('#events pre.log[aria-label="Errors of the events file"]');
    fs.writeFileSync(env.HD_EVENTS, good + 'event broken { when at 24:00 do notify "x" }\n');
    await page.locator("#events button", { hasText: "Reload the events file" }).click();
    await errs.waitFor({ timeout: WAIT_MS });
    if (!/\.events:7:24: a time of day/.test(await errs.textContent())) fail("no file:line:col error shown");
    fs.writeFileSync(env.HD_EVENTS, good);
    await page.locator("#events button", { hasText: "Reload the events file" }).click();
    await errs.waitFor({ state: "detached", timeout: WAIT_MS });
    await row("scene").waitFor({ timeout: WAIT_MS });
  });
} else skip("events and modes", `GET /api/v1/events answers ${evs.status}`);

// 5c. The licence: its status, a banner unless valid, a bad file refused
const lic = haveApi ? await apiGet(page, "licence") : { status: 0 };
if (lic.status === 200) {
  await check(`the licence status (${lic.body.status}) is shown, with a banner unless valid`, async () => {
    await page.click('.tabs a[data-view="licence"]');
    await page.locator("#licence .tile").waitFor({ timeout: WAIT_MS });
    const banner = await page.isVisible("#licence-warn");
    if (banner !== (lic.body.status !== "valid")) fail(`banner ${banner} for status ${lic.body.status}`);
    if (banner && lic.body.problem && !(await page.textContent("#licence-warn")).includes(lic.body.problem))
      fail("the banner does not say why");
    await shot(page, "licence");
  });
  await check("a file that is not a licence is refused, and the refusal shown", async () => {
    await page.setInputFiles("#licence-file", { name: "licence.pem", mimeType: "text/plain",
      buffer: Buffer.from("-----BEGIN CERTIFICATE-----\nnot a licence\n-----END CERTIFICATE-----\n") });
    await page.click("#licence form.upload button");
    await page.locator(".toast.bad", { hasText: "Licence refused" }).waitFor({ timeout: WAIT_MS });
    const after = await apiGet(page, "licence");
    if (after.body.status !== lic.body.status) fail("the status changed");
  });
} else skip("the licence status", `GET /api/v1/licence answers ${lic.status}`);

// 6. A viewer on a phone, in dark mode
const [vname, vpass] = (env.HD_VIEWER || ":").split(":");
const phone = await browser.newContext({ viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2, isMobile: true, hasTouch: true, colorScheme: "dark" });
const p = await phone.newPage();
pages.push(p);
await check("a viewer logs in on a phone", async () => {
  await p.goto(env.HD_URL);
  await shot(p, "phone-login");
  await p.fill("#login-name", vname || env.HD_USER);
  await p.fill("#login-pw", vpass || env.HD_PASSWORD);
  await p.click("#login-submit");
  await p.locator("#app").waitFor({ state: "visible", timeout: WAIT_MS });
});
if (vname && haveApi)
  await check("a viewer sees no admin panels and no enabled control", async () => {
    for (const v of ["security", "zwave"])
      if (await p.isVisible(`.tabs a[data-view="${v}"]`)) fail(`the ${v} tab is shown`);
    await p.evaluate(() => (location.hash = "/devices"));
    await p.locator("article.card button.toggle").first().waitFor({ timeout: WAIT_MS });
    const enabled = await p.locator("article.card button.toggle:enabled, article.card input:enabled").count();
    if (enabled) fail(`${enabled} controls enabled`);
  });
await check("on a phone the pages fit the screen (no sideways scrolling)", async () => {
  for (const v of ["overview", "devices", "cluster"]) {
    await p.evaluate((h) => (location.hash = h), v);
    await p.waitForTimeout(500);
    const w = await p.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    if (w[0] > w[1]) fail(`${v}: ${w[0]} px wide on a ${w[1]} px screen`);
    await shot(p, "phone-" + v);
  }
});

await check("an ended session (logout everywhere) brings the login page back, saying why", async () => {
  await p.evaluate(() => fetch("/api/v1/logout-all", { method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": HD.api.csrf }, body: "{}" }));
  // The next call the page makes (here: the re-read after a stream reset).
  await p.evaluate(() => HD.views.reload());
  await p.locator("#login-form").waitFor({ state: "visible", timeout: WAIT_MS });
  if (!/session has ended/.test(await p.textContent("#login-error"))) fail("no reason given");
});

await check("sign out returns to the login page and ends the session", async () => {
  await page.click("#logout");
  await page.locator("#login-form").waitFor({ state: "visible", timeout: WAIT_MS });
  const s = await apiGet(page, "session");
  if (s.status !== 401) fail(`GET session answers ${s.status}`);
});

await done(browser);
