"use strict";
// The history dialog, the cluster view, the events (scheduler) and the
// licence. Each panel asks its endpoint and, when this master does not
// have it (404), says so or hides its tab: the dashboard works at every
// stage of the API.
(function () {
  const { el, api, store } = HD;
  const panels = (HD.panels = {});
  const LICENCE_WARN_DAYS = 30;	// warn this long before the licence ends
  const CERT_WARN_DAYS = 30;		// and before a certificate expires
  const DAY_MS = 86400e3;

  // -- history dialog -----------------------------------------------
  const history = (HD.history = {});
  let cur = null;

  history.open = function (d, v) {
    cur = { d, v, range: "hour" };
    HD.$("history-title").textContent = `${d.name} · ${v.key.replace(/_/g, " ")}`;
    HD.$("history").showModal();
    load();
  };
  async function load() {
    const { d, v, range } = cur;
    for (const b of document.querySelectorAll("#history [data-range]"))
      b.setAttribute("aria-pressed", String(b.dataset.range === range));
    const box = HD.$("history-chart"), note = HD.$("history-note");
    note.textContent = "Loading…";
    try {
      const h = await api.maybe(`history/${api.enc(d.node)}/${api.enc(d.id)}/${api.enc(v.key)}?range=${range}`);
      if (!cur || cur.range !== range) return;
      if (!h) {
        HD.clear(box, el("p.empty", { text: "History is not available on this master." }));
        note.textContent = "";
        return;
      }
      HD.chart.history(box, h, v.unit);
      note.textContent = `One point per ${h.step_s || 60} s: the line is the average, the band min to max. Now: ${HD.fmt(v.value, v.unit)}.`;
    } catch (e) {
      note.textContent = "Could not load the history: " + e.message;
    }
  }
  document.addEventListener("DOMContentLoaded", () => {
    for (const b of document.querySelectorAll("#history [data-range]"))
      b.addEventListener("click", () => {
        cur.range = b.dataset.range;
        load();
      });
    HD.$("history-close").addEventListener("click", () => HD.$("history").close());
    HD.$("history").addEventListener("close", () => (cur = null));
  });

  // -- cluster ------------------------------------------------------

  // The cluster's health: GET /cluster (admins: term, round trips,
  // certificates), else what /nodes and /health tell everyone.
  panels.loadCluster = async function () {
    store.cluster = api.isAdmin() ? await api.maybe("cluster").catch(() => null) : null;
  };
  const upFor = (ms) => "up " + HD.duration((Date.now() - ms) / 1000);

  // The master, the standby (if any) and the slaves, as overview tiles.
  panels.clusterTiles = function (box) {
    const h = store.health, c = store.cluster, cm = c && c.master;
    const tile = (title, level, big, facts) => el("div.tile." + level, {},
      el("h3", {}, el("span.dot", { "aria-hidden": "true" }), title),
      el("p.big", { text: big }), el("ul.facts", {}, facts.map((f) => el("li", { text: f }))));
    const mfacts = cm ? [`version ${cm.version}`, `term ${cm.term}`, upFor(cm.started_ms)]
      : h ? [`version ${h.version}`] : [];
    const t = [tile("Master" + (cm ? " " + cm.id : ""), h || cm ? "good" : "bad", h || cm ? "Up" : "No answer", mfacts)];
    const sb = c && c.standby;
    if (sb)
      t.push(tile("Standby " + sb.id, sb.online ? "good" : "bad", sb.online ? "Ready" : "Offline",
        [`version ${sb.version || "?"}`, "seen " + HD.ago(sb.last_seen_ms)]));
    else t.push(tile("Standby", "none", "None", ["no standby master is configured"]));
    const slaves = store.nodes;
    const on = slaves.filter((n) => n.online).length;
    t.push(tile("Slaves", on < slaves.length ? "bad" : "good", `${on}/${slaves.length}`,
      [`${store.devices.size} devices`, `${new Set(slaves.map((n) => n.site)).size} sites`]));
    HD.clear(box, t);
  };

  const cell = (v) => el("td", {}, v === undefined || v === null || v === "" ? "—" : v);

  panels.renderCluster = async function () {
    await panels.loadCluster();
    const box = HD.$("cluster"), h = store.health, c = store.cluster;
    const extra = new Map(c ? c.nodes.map((n) => [n.id, n]) : []);
    const rows = [];
    if (c)
      rows.push(el("tr", {}, el("th", { scope: "row", text: c.master.id }), cell("master"),
        cell(HD.badge("online", "good")), cell(String(c.master.term)), cell("—"), cell("—"),
        cell(c.master.version), cell(upFor(c.master.started_ms)), cell(expiry(c.master.cert_not_after_ms))));
    else if (h)
      rows.push(el("tr", {}, el("th", { scope: "row", text: "master" }), cell("master"),
        cell(HD.badge("online", "good")), cell(null), cell("—"), cell("—"), cell(h.version), cell(null), cell(null)));
    for (const n0 of store.nodes) {
      const n = Object.assign({}, n0, extra.get(n0.id) || {}, { online: n0.online });
      rows.push(el("tr", { "data-node": n.id }, el("th", { scope: "row" }, n.id, el("span.sub", { text: " " + (n.site || "") })),
        cell(n.role || "slave"),
        cell(n.online ? HD.badge("online", "good") : HD.badge("offline", "bad")),
        cell(c ? String(c.master.term) : null), cell(HD.agoEl(n.last_seen_ms)),
        cell(n.online && n.rtt_ms !== undefined && n.rtt_ms !== null ? n.rtt_ms + " ms" : null), cell(n.version),
        cell(n.online ? "since " + HD.datetime(n.online_since_ms) : (n.addr ? "last from " + n.addr : null)),
        cell(n.cert_not_after_ms ? expiry(n.cert_not_after_ms) : null)));
    }
    HD.clear(box, el("div.tablewrap", {}, el("table.data", {},
      el("thead", {}, el("tr", {}, ["Node", "Role", "State", "Term", "Last heard", "Round trip",
        "Version", "Connection", "Certificate expires"].map((t) => el("th", { scope: "col", text: t })))),
      el("tbody", {}, rows))),
    store.nodes.length ? null : el("p.empty", { text: "No slave has connected yet." }),
    c ? null : el("p.muted", { text: "Terms, round trips and certificates are shown to admins." }));
  };

  function expiry(ms) {
    if (!ms) return null;
    const days = Math.floor((ms - Date.now()) / DAY_MS);
    return el("span" + (days < CERT_WARN_DAYS ? ".warntext" : ""), { text: `${HD.date(ms)} (${days} d)` });
  }

  // -- events (scheduler) ---------------------------------------------

  panels.renderEvents = async function () {
    const box = HD.$("events");
    const r = await api.maybe("events");
    if (!r) return HD.clear(box, el("p.empty", { text: "The scheduler is not available on this master." }));
    const list = r.events || [];
    const canEdit = api.role !== "viewer";
    HD.clear(box, list.length ? el("div.tablewrap", {}, el("table.data", {},
      el("thead", {}, el("tr", {}, ["Event", "Schedule", "Next", "Last fired", "Enabled", ""]
        .map((t) => el("th", { scope: "col", text: t })))),
      el("tbody", {}, list.map((e) => el("tr", { "data-event": e.id },
        el("th", { scope: "row", text: e.name || e.id }), cell(e.when || e.schedule || e.cron),
        cell(e.next_ms ? HD.datetime(e.next_ms) : null),
        cell(e.last_ms || e.last_fired_ms ? HD.agoEl(e.last_ms || e.last_fired_ms) : "never"),
        cell(el("input", { type: "checkbox", checked: e.enabled, disabled: !canEdit,
          "aria-label": `${e.name || e.id} enabled`,
          onchange: (ev) => eventAct(() => api.patch("events/" + api.enc(e.id), { enabled: ev.target.checked })) })),
        cell(canEdit ? el("button", { type: "button", text: "Run now",
          onclick: () => eventAct(() => api.post(`events/${api.enc(e.id)}/run`, {})) }) : null))))))
      : el("p.empty", { text: "No events are defined." }));
  };
  async function eventAct(fn) {
    try {
      await fn();
      HD.toast("Done", "ok");
    } catch (e) {
      HD.toast("Event: " + e.message);
    }
    panels.renderEvents();
  }

  // -- licence --------------------------------------------------------

  panels.licence = null;
  panels.loadLicence = async function () {
    try {
      panels.licence = await api.maybe("licence");
    } catch (e) {
      panels.licence = null;
    }
    const l = panels.licence, warn = HD.$("licence-warn");
    const end = l && (l.expires_ms || l.not_after_ms);
    const days = end ? Math.floor((end - Date.now()) / DAY_MS) : Infinity;
    warn.hidden = !(l && (days < LICENCE_WARN_DAYS || l.valid === false));
    if (!warn.hidden)
      warn.textContent = l.valid === false || days < 0 ? "The licence is not valid: " + (l.reason || "expired") + "."
        : `The licence ends in ${days} day${days === 1 ? "" : "s"} (${HD.date(end)}).`;
    return l;
  };
  panels.renderLicence = function () {
    const l = panels.licence, box = HD.$("licence");
    if (!l) return HD.clear(box, el("p.empty", { text: "Licence status is not available on this master." }));
    const end = l.expires_ms || l.not_after_ms;
    const rows = Object.entries(l).filter(([, v]) => typeof v !== "object")
      .map(([k, v]) => el("tr", {}, el("th", { scope: "row", text: k.replace(/_ms$/, "").replace(/_/g, " ") }),
        cell(/_ms$/.test(k) ? HD.datetime(v) : String(v))));
    HD.clear(box, el("div.tile." + (l.valid === false ? "bad" : "good"), {},
      el("h3", {}, el("span.dot"), l.valid === false ? "Not valid" : "Valid"),
      el("p.big", { text: end ? HD.date(end) : "No end date" })),
    el("table.data.kv", {}, el("tbody", {}, rows)));
  };
})();
