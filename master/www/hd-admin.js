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
  const live = [];			// probes seen on the stream, newest first

  HD.stream.on("probe", (p) => {
    live.unshift(Object.assign({ seen_ms: Date.now() }, p));
    live.length = Math.min(live.length, PROBES_KEEP);
    if (HD.views.current === "security") renderLive();
  });

  const table = (heads, rows, cls) => el("div.tablewrap", {}, el("table.data" + (cls || ""), {},
    el("thead", {}, el("tr", {}, heads.map((t) => el("th", { scope: "col", text: t })))),
    el("tbody", {}, rows)));
  const td = (v) => el("td", {}, v === undefined || v === null ? "—" : v);
  const cls = (p) => p.class || p.cls || "?";

  // The endpoint's per-class counts as [[class, n]], whatever its form:
  // an object {class: n} or a list of {class, count|total}.
  function perClass(r) {
    const c = r && (r.classes || r.probes || r.counts);
    if (!c) return [];
    if (Array.isArray(c)) return c.map((x) => [cls(x), x.count ?? x.total ?? x.n ?? 0]);
    return Object.entries(c).map(([k, v]) => [k, typeof v === "number" ? v : v.total ?? v.count ?? 0]);
  }

  function bars(pairs) {
    const max = Math.max(1, ...pairs.map((p) => p[1]));
    return table(["Class", "Probes", ""], pairs.sort((a, b) => b[1] - a[1]).map(([k, n]) =>
      el("tr", {}, el("th", { scope: "row", text: k }), td(String(n)),
        td(el("meter", { min: 0, max, value: n, "aria-label": `${k}: ${n}` })))), ".bars");
  }

  function renderLive() {
    const box = HD.$("sec-live");
    if (!box) return;
    // The master publishes at most a few probes a second; "dropped" says
    // how many it left out before this one.
    HD.clear(box, live.length ? table(["When", "Class", "Address", "Detail"], live.map((p) => [
      el("tr.probe", { "data-class": cls(p) }, td(HD.agoEl(p.seen_ms)), td(cls(p)), td(p.addr), td(p.detail || "")),
      p.dropped ? el("tr.dropped", {}, el("td.muted", { colspan: 4, text: `… ${p.dropped} more not listed (a storm)` })) : null])
    ) : el("p.empty", { text: "No probe since this page was opened." }));
  }

  admin.renderSecurity = async function () {
    const box = HD.$("security");
    const [probes, bans, recent] = await Promise.all([
      api.maybe("security/probes").catch(() => null),
      api.maybe("security/bans").catch(() => null),
      api.maybe("security/recent").catch(() => null)]);
    const counts = perClass(probes);
    if (!counts.length) {	// no statistics endpoint: count what the stream showed
      const m = new Map();
      for (const p of live) m.set(cls(p), (m.get(cls(p)) || 0) + 1);
      counts.push(...m.entries());
    }
    const top = (probes && (probes.top || probes.offenders)) || topOf(live);
    HD.clear(box,
      el("div.grid2", {},
        el("section.panel", {}, el("h2", { text: "Probes by class" }),
          counts.length ? bars(counts) : el("p.empty", { text: "No probes counted." }),
          probes ? null : el("p.muted", { text: "Counted from the live stream since this page was opened." })),
        el("section.panel", {}, el("h2", { text: "Top offending addresses" }),
          top.length ? table(["Address", "Probes"], top.slice(0, TOP_ADDRS).map((t) =>
            el("tr", {}, el("th", { scope: "row", text: t.addr }), td(String(t.count ?? t.probes ?? t.score ?? ""))))
          ) : el("p.empty", { text: "None." }))),
      el("section.panel", {}, el("h2", { text: "Live probes" }), el("div", { id: "sec-live" })),
      el("section.panel", {}, el("h2", { text: "Bans" }), bansTable(bans)),
      el("section.panel", {}, el("h2", { text: "Recent log lines" }), recentLines(recent)));
    renderLive();
  };

  function topOf(list) {
    const m = new Map();
    for (const p of list) m.set(p.addr, (m.get(p.addr) || 0) + 1);
    return [...m.entries()].sort((a, b) => b[1] - a[1]).map(([addr, count]) => ({ addr, count }));
  }

  function bansTable(r) {
    if (!r) return el("p.empty", { text: "Ban list not available on this master." });
    const list = r.bans || [];
    if (!list.length) return el("p.empty", { text: "No address is banned." });
    return table(["Address", "Until", "Probes", ""], list.map((b) => el("tr", { "data-addr": b.addr },
      el("th", { scope: "row", text: b.addr }), td(HD.datetime(b.until_ms)), td(String(b.probes ?? b.count ?? b.score ?? "")),
      td(el("button", { type: "button", text: "Unban", onclick: () => unban(b.addr) })))));
  }

  async function unban(addr) {
    if (!(await HD.confirm("Unban " + addr + "?", "It will be able to connect again.", "Unban"))) return;
    try {
      await api.del("security/bans/" + api.enc(addr));
      HD.toast(addr + " unbanned", "ok");
    } catch (e) {
      HD.toast("Unban " + addr + ": " + e.message);
    }
    admin.renderSecurity();
  }

  function recentLines(r) {
    if (!r) return el("p.empty", { text: "Log lines not available on this master." });
    const lines = (r.lines || r.recent || []).map((l) => typeof l === "string" ? l
      : [l.time_ms ? HD.datetime(l.time_ms) : "", l.line || l.text || l.msg || ""].join(" "));
    return lines.length ? el("pre.log", { text: lines.join("\n") }) : el("p.empty", { text: "Nothing logged." });
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
  };

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

  async function zwSlave(node) {
    const [st, nl] = await Promise.all([
      api.maybe(`zwave/${api.enc(node)}/inclusion`).catch(() => null),
      api.maybe(`zwave/${api.enc(node)}/nodes`).catch(() => null)]);
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
        el("span.sub", { text: HD.time(p.time_ms) + " " }), `${p.action} ${ZW_STEP[p.state] || p.state}`,
        p.node ? ` (node ${p.node})` : "", p.reason ? el("span.sub", { text: " — " + p.reason }) : null))) : null;
    const rows = nl ? nl.nodes.map((n) => ({ name: n.name, id: n.device, room: "", pct: n.interview_pct,
      sec: n.security, failed: n.failed, model: [n.manufacturer, n.model].filter(Boolean).join(" ") }))
      : [...store.devices.values()].filter((d) => d.node === node && d.id.startsWith("zw:")).map((d) => ({
        name: d.name, id: d.id, room: d.room, pct: d.interview_pct, sec: d.security, failed: false,
        model: [d.manufacturer, d.model].filter(Boolean).join(" ") }));
    return { active, el: el("section.panel", { "data-node": node }, el("h2", { text: node }), ctl, steps,
      rows.length ? table(["Device", "Interview", "Security", "Model", ""], rows.map((d) => el("tr", {},
        el("th", { scope: "row", text: `${d.name} (${d.id})` }),
        td([el("meter", { min: 0, max: 100, value: d.pct, "aria-label": `interview ${d.pct} %` }), " " + d.pct + " %"]),
        td((d.sec || "none").replace(/_/g, " ")), td(d.model), td(d.failed ? HD.badge("failed", "bad") : null))))
        : el("p.empty", { text: "No Z-Wave node yet." })) };
  }
})();
