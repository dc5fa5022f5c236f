"use strict";
// Admin panels: security (probes per class, top offending addresses,
// bans with unban, recent log lines, live probes from the stream). The
// Z-Wave view is hd-zwave.js.
(function () {
  const { el, api, store } = HD;
  const admin = (HD.admin = {});
  const PROBES_KEEP = 50;		// live probes listed
  const TOP_ADDRS = 10;			// offending addresses listed
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
  admin.table = table;			// for hd-zwave.js
  admin.td = td;
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
})();
