"use strict";
// Admin panels: security (probes per class, top offending addresses,
// bans with unban, recent log lines, live probes from the stream) and
// Z-Wave management (inclusion/exclusion with live progress, the node
// list with interview status and security level).
(function () {
  const { el, api, store } = HD;
  const admin = (HD.admin = {});
  const PROBES_KEEP = 50;		// live probes listed
  const TOP_ADDRS = 10;			// offending addresses listed
  const ZW_POLL_MS = 1000;		// inclusion progress, while one runs
  const ZW_PAGES_MAX = 8;		// pages of a slave's Z-Wave nodes, at most
  const SEC_REDRAW_MS = 1000;		// a probe storm redraws at most this often
  const CLASSES = ["plain-http", "not-tls", "sslv2", "silent", "bad-tls", "bad-request", "scanner"];
  const live = [];			// probes seen on the stream, newest first
  let sec = null, secRange = 60, redraw = 0;

  // A probe on the stream: listed at once; the counters and the chart
  // follow, at most once a second.
  HD.stream.on("probe", (p) => {
    live.unshift(Object.assign({ time_ms: Date.now() }, p));
    live.length = Math.min(live.length, PROBES_KEEP);
    if (sec && sec.probes) countProbe(sec.probes, p);
    if (HD.views.current !== "security") return;
    renderLive();
    if (!redraw) redraw = setTimeout(() => {
      redraw = 0;
      if (HD.views.current === "security") renderStats();
    }, SEC_REDRAW_MS);
  });

  function countProbe(r, p) {
    const c = cls(p);
    r.totals[c] = (r.totals[c] || 0) + 1;
    const pts = r.series && r.series.counts[c];
    if (pts && pts.length) pts[pts.length - 1]++;
    const t = r.top.find((x) => x.addr === p.addr);
    if (t) {
      t.probes++;
      t.last_ms = Date.now();
      t.last_class = c;
    }
  }

  const table = (heads, rows, cls) => el("div.tablewrap", {}, el("table.data" + (cls || ""), {},
    el("thead", {}, el("tr", {}, heads.map((t) => el("th", { scope: "col", text: t })))),
    el("tbody", {}, rows)));
  const td = (v) => el("td", {}, v === undefined || v === null ? "—" : v);
  const cls = (p) => p.class || "?";

  function renderStats() {
    const r = sec.probes;
    const box = HD.$("sec-stats");
    if (!box) return;
    if (!r)
      return HD.clear(box, el("p.muted", { text: "Probe statistics are not available on this master: the live list below counts only since this page opened." }));
    const total = Object.values(r.totals).reduce((a, b) => a + b, 0);
    const pairs = CLASSES.map((k) => [k, r.totals[k] || 0]);
    const max = Math.max(1, ...pairs.map((x) => x[1]));
    const chartBox = el("div.chart");
    HD.clear(box,
      el("div.grid2", {},
        el("section.panel", {}, el("h2", {}, `Probes over the last ${secRange === 60 ? "hour" : "day"}`),
          chartBox),
        el("section.panel", {}, el("h2", { text: `By class since the master started (${total})` }),
          table(["Class", "Probes", ""], pairs.map(([k, n], j) => el("tr", { "data-class": k },
            el("th", { scope: "row" }, el("span.swatch.s" + j, { "aria-hidden": "true" }), " " + k), td(String(n)),
            td(el("meter", { min: 0, max, value: n, "aria-label": `${k}: ${n}` }))))))),
      el("section.panel", {}, el("h2", { text: "Top offending addresses" }),
        r.top.length ? table(["Address", "Probes", "Last", "Class"], r.top.slice(0, TOP_ADDRS).map((t) =>
          el("tr", {}, el("th", { scope: "row", text: t.addr }), td(String(t.probes)), td(HD.agoEl(t.last_ms)),
            td(t.last_class)))) : el("p.empty", { text: "None." })));
    if (r.series)
      HD.chart.stacked(chartBox, r.series.counts, r.series.start_ms, r.series.step_s * 1000, CLASSES);
  }

  function renderLive() {
    const box = HD.$("sec-live");
    if (!box) return;
    // The master publishes at most a few probes a second; "dropped" says
    // how many it left out before this one.
    HD.clear(box, live.length ? table(["When", "Class", "Address", "Detail"], live.map((p) => [
      el("tr.probe", { "data-class": cls(p) }, td(HD.agoEl(p.time_ms)), td(cls(p)),
        td(p.port ? `${p.addr} :${p.port}` : p.addr), td(p.detail || "")),
      p.dropped ? el("tr.dropped", {}, el("td.muted", { colspan: 4, text: `… ${p.dropped} more not listed (a storm)` })) : null])
    ) : el("p.empty", { text: "No probe yet." }));
  }

  admin.renderSecurity = async function () {
    const box = HD.$("security");
    const [probes, bans, recent] = await Promise.all([
      api.maybe(`security/probes?minutes=${secRange}`).catch(() => null),
      api.maybe("security/bans").catch(() => null),
      api.maybe("security/recent").catch(() => null)]);
    sec = { probes, bans, recent };
    // The recent list fills the live one once, so it is never empty
    // after a reload.
    if (recent && !live.length) live.push(...recent.probes.slice(0, PROBES_KEEP));
    const seg = el("div.seg", { role: "group", "aria-label": "Range" }, [[60, "Hour"], [1440, "Day"]].map(([m, t]) =>
      el("button", { type: "button", "aria-pressed": String(secRange === m), text: t,
        onclick: () => { secRange = m; admin.renderSecurity(); } })));
    HD.clear(box, el("div.view-tools", {}, seg), el("div", { id: "sec-stats" }),
      el("section.panel", {}, el("h2", { text: "Live probes" }), el("div", { id: "sec-live" })),
      el("section.panel", {}, el("h2", {}, "Bans", bans ? el("span.sub", { text: ` ${bans.total} in force` }) : null),
        bansTable(bans)),
      el("section.panel", {}, el("h2", { text: "Recent log lines" }), recentLines(recent)));
    renderStats();
    renderLive();
  };

  function bansTable(r) {
    if (!r) return el("p.empty", { text: "The ban list is not available on this master." });
    if (!r.bans.length) return el("p.empty", { text: "No address is banned." });
    return [table(["Address", "Until", "Level", "Last offence", ""], r.bans.map((b) => el("tr", { "data-addr": b.addr },
      el("th", { scope: "row", text: b.addr }), td(HD.datetime(b.until_ms)), td(String(b.level)),
      td(HD.agoEl(b.last_ms)),
      td(el("button", { type: "button", text: "Unban", onclick: () => unban(b.addr) }))))),
    r.truncated ? el("p.muted", { text: `Showing ${r.bans.length} of ${r.total}.` }) : null];
  }

  async function unban(addr) {
    if (!(await HD.confirm("Unban " + addr + "?", "It will be served again at once; a new ban would last longer.", "Unban")))
      return;
    try {
      await api.del("security/bans/" + api.enc(addr));
      HD.toast(addr + " unbanned", "ok");
    } catch (e) {
      HD.toast("Unban " + addr + ": " + e.message);
    }
    admin.renderSecurity();
  }

  // The recent probes as the log has them (docs/WEB.md, "Probes").
  function recentLines(r) {
    if (!r) return el("p.empty", { text: "Recent probes are not available on this master." });
    if (!r.probes.length) return el("p.empty", { text: "Nothing logged." });
    return el("pre.log", { text: r.probes.map((p) => `${new Date(p.time_ms).toISOString()} probe class=${p.class} ` +
      `addr=${p.addr}:${p.port} detail="${p.detail}" first="${p.first}"${p.banned_s ? ` banned ${p.banned_s} s` : ""}`)
      .join("\n") });
  }

  // -- Z-Wave ---------------------------------------------------------
  // Per slave with a Z-Wave controller: GET /zwave/SLAVE/inclusion (the
  // state and its last steps) and /nodes (interview, security, failed),
  // polled while an inclusion or exclusion runs (docs/API.md#z-wave).
  let zwTimer = 0;
  const ZW_STEP = {
    requested: "asking the slave…", ready: "press the device's button now", node_found: "device found",
    adding: "adding the device…", protocol_done: "securing…", done: "done", interviewed: "interview complete",
    failed: "failed", timeout: "timed out", cancelled: "cancelled", refused: "refused", idle: "idle",
    s2_grant: "choose the security to grant", s2_pin: "type the device's PIN", security: "security set",
  };

  const STEP_DONE = {
    requested: "requested", ready: "learn mode on", node_found: "device found", adding: "adding",
    protocol_done: "secured", done: "done", interviewed: "interviewed", failed: "failed",
    timeout: "timed out", cancelled: "cancelled", refused: "refused", idle: "idle",
    s2_grant: "S2 classes asked", s2_pin: "S2 PIN asked", security: "security",
  };

  // S2 bootstrapping of the device just added (docs/ZWAVE.md "Security
  // 2"): the classes it asks for, to grant; then its DSK and the PIN the
  // user types; a device that got less than it asked for is shown loudly.
  const S2_NAMES = { s2_access_control: "S2 Access Control (locks, garage doors)",
    s2_authenticated: "S2 Authenticated", s2_unauthenticated: "S2 Unauthenticated",
    s0: "S0 (older security, for what the device does with S0 devices)" };
  function zwS2(node, s2, refresh) {
    if (!s2 || s2.waiting === "none") return null;
    const send = async (body) => {
      try {
        await api.post(`zwave/${api.enc(node)}/inclusion`, Object.assign({ action: "grant" }, body));
      } catch (e) {
        HD.toast(`Z-Wave ${node}: ${e.message}`);
      }
      refresh();
    };
    if (s2.waiting === "grant") {
      const boxes = s2.requested.filter((c) => S2_NAMES[c]).map((c) =>
        el("label", {}, el("input", { type: "checkbox", name: c, checked: true }), " " + S2_NAMES[c]));
      const form = el("form.s2grant", { onsubmit: (ev) => {
        ev.preventDefault();
        send({ classes: boxes.map((b) => b.firstChild).filter((i) => i.checked).map((i) => i.name) });
      } }, el("p", { text: `Node ${s2.node} asks for S2 security. Grant:` }), boxes,
      el("button.primary", { type: "submit", text: "Grant" }),
      el("button", { type: "button", text: "Refuse (no security)", onclick: () => send({ classes: [] }) }));
      return form;
    }
    if (s2.waiting === "pin") {
      const pin = el("input", { type: "text", inputmode: "numeric", pattern: "[0-9]{5}", maxlength: 5, required: true,
        autocomplete: "off", "aria-label": "PIN: the first five digits of the DSK" });
      return el("form.s2pin", { onsubmit: (ev) => { ev.preventDefault(); send({ pin: pin.value }); } },
        el("p", {}, `Node ${s2.node}'s key (DSK): `, el("code", { text: s2.dsk })),
        el("label", {}, "Type the 5-digit PIN from the device's label or box (the DSK's first group, underlined): ", pin),
        el("button.primary", { type: "submit", text: "Confirm" }));
    }
    if (s2.waiting === "device") return el("p", { role: "status", text: `Node ${s2.node}: exchanging keys…` });
    if (s2.downgraded)
      return el("p.s2bad", { role: "alert" }, HD.badge("security downgrade", "bad"),
        ` Node ${s2.node} asked for S2 but is included without it: ${s2.reason}`);
    return el("p", { text: `Node ${s2.node}: ${s2.granted.map((c) => S2_NAMES[c] || c).join(", ") || "no class"} granted.` });
  }

  // An S2 step comes after the inclusion's own end (no poll runs then):
  // the stream's zwave event redraws the panel at once.
  HD.stream.on("zwave", (e) => {
    if (HD.views.current === "zwave" && e && ["s2_grant", "s2_pin", "security"].includes(e.state))
      admin.renderZwave();
  });

  // The S2 provisioning list: QR code strings pasted or typed, listed
  // with their DSK; a device of the list included later needs no PIN.
  const PROV_RECHECK_MS = [400, 1500];	// the slave's answer, looked for twice
  const provOpen = {};			// per slave: the list left open across redraws
  function zwProv(node, pl, refresh) {
    if (!pl) return null;
    const send = async (body) => {
      try {
        await api.post(`zwave/${api.enc(node)}/provisioning`, body);
      } catch (e) {
        HD.toast(`Z-Wave ${node}: ${e.message}`);
      }
      PROV_RECHECK_MS.forEach((ms) => setTimeout(refresh, ms));
    };
    const qr = el("input", { type: "text", inputmode: "numeric", autocomplete: "off", size: 40,
      "aria-label": "the device's QR code digits (90...)", placeholder: "90…" });
    const rows = pl.entries.map((e) => el("tr", {},
      el("th", { scope: "row" }, el("code", { text: e.dsk })),
      td(e.requested.map((c) => c.replace(/_/g, " ")).join(", ") || "—"),
      td(`${e.manufacturer}:${e.product_type}:${e.product_id}`),
      td(e.node ? `node ${e.node}` : e.state === "failed" ? `failed: ${e.reason}` :
        e.smartstart ? `waits for it (SmartStart)${e.reason ? ": " + e.reason : ""}` : "not yet"),
      td(el("button", { type: "button", text: "Remove", onclick: () => send({ action: "remove", dsk: e.dsk }) }))));
    const box = el("details.s2prov", { open: !!provOpen[node],
      ontoggle: () => { provOpen[node] = box.open; } },
      el("summary", { text: `S2 provisioning list (${pl.entries.length})` }),
      pl.error ? el("p", { role: "alert" }, HD.badge("refused", "bad"), " " + pl.error) : null,
      rows.length ? table(["DSK", "Asks for", "Product", "Included"], rows) : el("p.empty", { text: "No device listed." }),
      el("form.s2provadd", { onsubmit: (ev) => { ev.preventDefault(); send({ action: "add", qr: qr.value }); } },
        el("label", {}, "QR code string: ", qr), el("button", { type: "submit", text: "Add" })));
    return box;
  }

  admin.renderZwave = async function () {
    clearTimeout(zwTimer);
    const box = HD.$("zwave");
    const slaves = [...new Set([...store.devices.values()]
      .filter((d) => d.kind === "controller" || d.id.startsWith("zw:")).map((d) => d.node))].sort();
    if (!slaves.length) return HD.clear(box, el("p.empty", { text: "No slave has a Z-Wave controller." }));
    const parts = await Promise.all(slaves.map(zwSlave));
    if (HD.views.current !== "zwave") return;
    HD.clear(box, parts.map((p) => p.el));
    if (parts.some((p) => p.active)) zwTimer = setTimeout(admin.renderZwave, ZW_POLL_MS);
  };

  // The node list, page by page ("next": the node id to ask from).
  async function zwNodes(node) {
    const first = await api.maybe(`zwave/${api.enc(node)}/nodes`);
    for (let r = first, i = 0; r && r.next && i < ZW_PAGES_MAX; i++) {
      r = await api.get(`zwave/${api.enc(node)}/nodes?from=${r.next}`);
      first.nodes.push(...r.nodes);
    }
    return first;
  }

  async function zwSlave(node) {
    const [st, nl, pl] = await Promise.all([
      api.maybe(`zwave/${api.enc(node)}/inclusion`).catch(() => null),
      zwNodes(node).catch(() => null),
      api.maybe(`zwave/${api.enc(node)}/provisioning`).catch(() => null)]);
    const act = (action) => async () => {
      if (action !== "stop" && !(await HD.confirm(action === "include" ? "Include a device?" : "Exclude a device?",
        `${node} will wait for a device's button to be pressed.`, action === "include" ? "Include" : "Exclude")))
        return;
      try {
        await api.post(`zwave/${api.enc(node)}/inclusion`, { action });
      } catch (e) {
        HD.toast(`Z-Wave ${node}: ${e.message}`);
      }
      admin.renderZwave();
    };
    const active = !!(st && st.active);
    // Polled while the device exchanges keys; not while the user fills
    // in the grant or the PIN (a redraw would wipe what is typed).
    const keying = !!(st && st.s2 && st.s2.waiting === "device");
    const ctl = !st ? el("p.muted", { text: "Inclusion is not available on this master." })
      : el("div.zwctl", {},
        el("p", { role: "status", "aria-live": "polite" },
          el("strong", { text: active ? `${st.action === "exclude" ? "Exclusion" : "Inclusion"}: ` : "Idle" }),
          active ? ZW_STEP[st.state] || st.state : st.state && st.state !== "idle" ? ` — last: ${ZW_STEP[st.state] || st.state}` : "",
          active && st.time_left_ms ? el("span.sub", { text: ` (${Math.ceil(st.time_left_ms / 1000)} s left)` }) : null),
        active ? el("button", { type: "button", text: "Stop", onclick: act("stop") })
          : [el("button.primary", { type: "button", text: "Include a device", disabled: st.online === false, onclick: act("include") }),
            el("button", { type: "button", text: "Exclude a device", disabled: st.online === false, onclick: act("exclude") })]);
    const steps = st && st.progress && st.progress.length
      ? el("ol.steps", {}, st.progress.slice(-6).map((p) => el("li", {},
        el("span.sub", { text: HD.time(p.time_ms) + " " }),
        `${p.action === "exclude" ? "Exclusion" : p.action === "include" ? "Inclusion" : p.action}: ${STEP_DONE[p.state] || p.state}`,
        p.node ? ` (node ${p.node})` : "", p.reason ? el("span.sub", { text: " — " + p.reason }) : null))) : null;
    const rows = nl ? nl.nodes.map((n) => ({ name: n.name, id: n.device, room: "", pct: n.interview_pct,
      sec: n.security, failed: n.failed, model: [n.manufacturer, n.model].filter(Boolean).join(" ") }))
      : [...store.devices.values()].filter((d) => d.node === node && d.id.startsWith("zw:")).map((d) => ({
        name: d.name, id: d.id, room: d.room, pct: d.interview_pct, sec: d.security, failed: false,
        model: [d.manufacturer, d.model].filter(Boolean).join(" ") }));
    const s2 = st ? zwS2(node, st.s2, admin.renderZwave) : null;
    return { active: (active || keying) && !(st.s2 && ["grant", "pin"].includes(st.s2.waiting)),
      el: el("section.panel", { "data-node": node },
      el("h2", { text: node }), ctl, s2, steps, zwProv(node, pl, admin.renderZwave),
      rows.length ? table(["Device", "Interview", "Security", "Model", ""], rows.map((d) => el("tr", {},
        el("th", { scope: "row", text: `${d.name} (${d.id})` }),
        td([el("meter", { min: 0, max: 100, value: d.pct, "aria-label": `interview ${d.pct} %` }), " " + d.pct + " %"]),
        td((d.sec || "none").replace(/_/g, " ")), td(d.model), td(d.failed ? HD.badge("failed", "bad") : null))))
        : el("p.empty", { text: "No Z-Wave node yet." })) };
  }
})();
