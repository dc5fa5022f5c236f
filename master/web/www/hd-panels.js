"use strict";
// The history dialog, the cluster view, the events (scheduler) and the
// licence. Each panel asks its endpoint and, when this master does not
// have it (404), says so or hides its tab: the dashboard works at every
// stage of the API.
(function () {
  const { el, api, store } = HD;
  const panels = (HD.panels = {});
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

  // GET /cluster's standby.state (docs/API.md): the tile's level, word
  // and what it means.
  const STANDBY = {
    connecting: { level: "warn", big: "Connecting", say: "configured, not connected" },
    syncing: { level: "warn", big: "Syncing", say: "receiving the state files" },
    in_sync: { level: "good", big: "In sync", say: "ready to take over" },
    lost: { level: "bad", big: "Standby lost", say: "the master goes on alone" },
    refused_role: { level: "bad", big: "Refused", say: "its certificate lacks the standby role" },
    refused_licence: { level: "bad", big: "Refused", say: "the licence has no standby feature" },
    refused_config: { level: "bad", big: "Refused", say: "its slave lines differ from the master's" },
    too_old: { level: "bad", big: "Too old", say: "it cannot read a state file of this master: upgrade the standby" },
  };
  function standbyFacts(sb, st) {
    const f = [st.say];
    if (sb.detail) f.push(sb.detail);
    if (sb.lag) f.push(sb.lag.files ? `lag ${sb.lag.files} files, ${sb.lag.bytes} bytes, ` +
      HD.duration(sb.lag.ms / 1000) : "no lag");
    if (sb.lag && sb.lag.records) f.push(`command log: ${sb.lag.records} records not acknowledged, ` +
      HD.duration(sb.lag.records_ms / 1000));
    if (sb.since_ms) f.push("since " + HD.datetime(sb.since_ms));
    f.push(`term ${sb.term}`);
    f.push(sb.last_takeover_ms ? `last takeover ${HD.datetime(sb.last_takeover_ms)} (term ${sb.last_takeover_term})`
      : "no takeover yet");
    return f;
  }

  // The master, the standby (if any) and the slaves, as overview tiles.
  panels.clusterTiles = function (box) {
    const h = store.health, c = store.cluster, cm = c && c.master;
    const tile = (title, level, big, facts) => el("div.tile." + level, {},
      el("h3", {}, el("span.dot", { "aria-hidden": "true" }), title),
      el("p.big", { text: big }), el("ul.facts", {}, facts.map((f) => el("li", { text: f }))));
    const mfacts = cm ? [`version ${cm.version}`, `term ${cm.term}`, upFor(cm.started_ms)]
      : h ? [`version ${h.version}`] : [];
    if (cm && cm.id !== "master") mfacts.unshift(cm.id);
    const t = [tile("Master", h || cm ? "good" : "bad", h || cm ? "Up" : "No answer", mfacts)];
    const sb = c && c.standby;
    if (sb && sb.state !== "none") {
      const st = STANDBY[sb.state] || STANDBY.lost;
      const tl = tile("Standby " + (sb.id || ""), st.level, st.big, standbyFacts(sb, st));
      tl.dataset.standby = sb.state;
      t.push(tl);
    } else {
      const tl = tile("Standby", "none", "None", ["no standby master is configured"]);
      tl.dataset.standby = "none";
      t.push(tl);
    }
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
    const sb = c && c.standby;
    if (sb && sb.state !== "none") {
      const st = STANDBY[sb.state] || STANDBY.lost;
      rows.push(el("tr", { "data-standby": sb.state }, el("th", { scope: "row", text: sb.id || "standby" }),
        cell("standby"), cell(HD.badge(st.big.toLowerCase(), st.level)), cell(String(sb.term)),
        cell(sb.since_ms ? HD.agoEl(sb.since_ms) : null), cell("—"), cell(null),
        cell(sb.lag ? (sb.lag.files ? `lag ${sb.lag.files} files` : "in sync") : st.say), cell(null)));
    }
    if (!c && h)
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
  // GET /events pages through {total, events, next} (only the events the
  // caller may see); admins enable, disable and run an event and reload
  // the file, users set the modes (docs/API.md#events-and-modes).
  const EVENTS_PAGES_MAX = 20;		// pages read at most for one view
  let reloadErrors = [];		// of the last refused reload, shown until the next
  let eventsSource = "file";	// "last-good" or "none": the file failed at start; "replicated": took over

  async function allEvents() {
    const out = [];
    let from = 0;
    for (let i = 0; i < EVENTS_PAGES_MAX; i++) {
      const r = await api.maybe("events" + (from ? "?from=" + from : ""));
      if (!r) return i ? out : null;
      if (i === 0) eventsSource = r.schedule || "file";
      out.push(...(r.events || []));
      if (r.next === null || r.next === undefined) break;
      from = r.next;
    }
    return out;
  }

  // A sun trigger without an event today says why (GET /events "sun"):
  // the sun stays up (polar day; a white night for a twilight), stays
  // down (polar night), today is not one of its days, or no place is set.
  const SUN_WHY = { polar_day: "polar day", polar_night: "polar night", white_night: "white night",
    not_today: "not one of its days", no_place: "no latitude/longitude configured", none: "no solar day" };
  const sunNotes = (e) => (e.sun || []).filter((s) => s.today !== "event").map((s) =>
    el("span.sub.sunwhy", { "data-sun": s.today, text: `no ${s.event} today: ${SUN_WHY[s.today] || s.today}` }));
  // An event of a site with its own zone (docs/SCHEDULER.md#sites): its
  // next firing in that site's local time too, which is what its rule says.
  const siteTime = (e) => (e.zone && e.next_ms ? [el("span.sub.sitetime", { "data-zone": e.zone,
    text: new Date(e.next_ms).toLocaleString(undefined, { timeZone: e.zone, dateStyle: "short",
      timeStyle: "short" }) + " " + e.zone })] : []);
  const nextCell = (e) => {
    const notes = siteTime(e).concat(sunNotes(e));
    if (!notes.length) return cell(e.next_ms ? HD.datetime(e.next_ms) : null);
    return el("td", {}, e.next_ms ? HD.datetime(e.next_ms) : "—", ...notes.map((n) => [el("br"), n]).flat());
  };

  // docs/SCHEDULER.md#local-rules: where its last firing ran, the recent
  // ones in the title; a local-capable event's history is whole once its
  // slave has reported what it ran while cut off (local_synced).
  const ranOn = (e) => {
    const runs = e.runs || [], r = runs[0];
    if (!r) return null;
    // FAILOVER.md#an-old-masters-unreplicated-firings: "old master".
    const where = (x) => x.unreplicated ? "the old master, unreplicated" :
      x.local ? `slave ${x.on}, by its local rules` : "master";
    return el("span.sub.ran", { "data-ran": r.local || r.unreplicated ?
        r.on : "master",
      title: runs.map((x) => `${HD.datetime(x.at_ms)}: ${where(x)}`).join("\n"),
      text: r.unreplicated ? " on the old master (unreplicated)" :
        r.local ? ` on slave ${r.on} (local rules)` : " on the master" });
  };
  // Instants the missed-event policy skipped (docs/SCHEDULER.md): how
  // many, the last, and why, under the last firing.
  const missedNote = (e) => {
    const m = e.missed;
    if (!m || !m.count) return null;
    return [el("br"), el("span.sub.warntext.missed", { "data-missed": String(m.count), title: m.why,
      text: `missed ${m.count} time${m.count === 1 ? "" : "s"}, last at ${HD.time(m.last_due_ms)} (${m.why})` })];
  };
  const localNote = (e) => e.local_node ? ` local-capable: ${e.local_node}` +
    (e.local_synced === false ? " (its firings while cut off not all heard yet)" : "") : " master only";

  panels.renderEvents = async function () {
    const box = HD.$("events");
    const [list, modes] = await Promise.all([allEvents(), api.maybe("modes").catch(() => null)]);
    if (!list) return HD.clear(box, el("p.empty", { text: "The scheduler is not available on this master." }));
    const admin = api.isAdmin(), canMode = api.role !== "viewer";
    const act = (name, what) => eventAct(() => api.post(`events/${api.enc(name)}/${what}`, {}),
      `${name}: ${what}d`);
    HD.clear(box,
      admin ? el("div.zwctl", {}, el("button", { type: "button", text: "Reload the events file",
        onclick: reloadFile }), el("p", { text: "Re-reads the file; with any error the running schedule stays." })) : null,
      admin && reloadErrors.length ? el("pre.log", { "aria-label": "Errors of the events file",
        text: reloadErrors.join("\n") }) : null,
      eventsSource === "replicated" ? el("p.warntext", { role: "status", "data-source": eventsSource,
        text: "This master took over: it runs the schedule replicated from the previous master, " +
          "which differs from this node's own events file. Reloading switches to this node's file." }) :
      eventsSource !== "file" ? el("p.warntext", { role: "alert", "data-source": eventsSource,
        text: "The events file had errors when the master started: " + (eventsSource === "none" ?
          "no events run (no earlier schedule was kept)." : "the last schedule that loaded runs instead.") +
          " Fix the file and reload it." }) : null,
      modes && modes.modes.length ? el("section.panel", {}, el("h2", { text: "Modes" }),
        el("div.modes", {}, modes.modes.map((m) => el("label.mode", {}, el("span", { text: m.name }),
          el("select", { disabled: !canMode, "aria-label": `Mode ${m.name}`,
            onchange: (ev) => eventAct(() => api.call("PUT", "modes", { mode: m.name, value: ev.target.value }),
              `${m.name}: ${ev.target.value}`) },
          m.values.map((v) => el("option", { value: v, text: v, selected: v === m.value }))))))) : null,
      varsPanel(modes),
      list.length ? el("div.tablewrap", {}, el("table.data", {},
        el("thead", {}, el("tr", {}, ["Event", "Next", "Last fired", "Result", "Waiting", "Enabled", ""]
          .map((t) => el("th", { scope: "col", text: t })))),
        el("tbody", {}, list.map((e) => el("tr", { "data-event": e.name },
          el("th", { scope: "row" }, e.name, el("span.sub", { text: ` ${String(e.file).split("/").pop()}:${e.line}` }),
            e.site ? el("span.sub.site", { "data-site": e.site, text: ` site ${e.site}` +
              (e.place === "site" ? "" : " (the installation's place)") }) : null,
            e.site_mismatch ? el("span.sub.warntext.sitewarn", { "data-site": e.site_mismatch,
              text: ` its devices are at site ${e.site_mismatch}: add 'site ${e.site_mismatch}'?` }) : null,
            // docs/SCHEDULER.md#local-rules: whether it could run on one slave alone.
            el("span.sub.local", { "data-local": e.local_node || "", title: e.local_why || "",
              "data-synced": String(!!e.local_synced), text: localNote(e) })),
          nextCell(e),
          el("td", {}, e.last_fired_ms ? HD.agoEl(e.last_fired_ms) : "never", ranOn(e), missedNote(e)),
          cell(e.last_result || null),
          cell(e.pending ? String(e.pending) : null),
          cell(el("button.toggle", { type: "button", role: "switch", "aria-checked": String(!!e.enabled),
            "aria-label": `${e.name} enabled`, disabled: !admin,
            onclick: () => act(e.name, e.enabled ? "disable" : "enable") }, el("span.knob"))),
          // hd-run.js: a key per click, asked again across a takeover.
          cell(admin ? el("button.run", { type: "button", text: HD.run.busy(e.name) ? "Running…" : "Run now",
            disabled: HD.run.busy(e.name), "aria-busy": String(HD.run.busy(e.name)),
            onclick: () => HD.run.click(e.name) }) : null))))))
        : el("p.empty", { text: "No events are defined." }));
  };
  // The file's counters and timestamps (GET /modes beside the modes,
  // docs/SCHEDULER.md#variables): read-only, set by events' actions.
  function varsPanel(modes) {
    const cs = (modes && modes.counters) || [], ts = (modes && modes.timestamps) || [];
    if (!cs.length && !ts.length) return null;
    const item = (name, value) => el("span.mode.var", { "data-var": name }, el("span", { text: name }), value);
    return el("section.panel", {}, el("h2", { text: "Counters and timestamps" }), el("div.modes", {},
      cs.map((c) => item(c.name, el("output", { text: String(c.value) }))),
      ts.map((t) => item(t.name, t.at_ms != null ? HD.agoEl(t.at_ms) : el("output", { text: "never" })))));
  }
  // POST /events/reload: 200 {events}, or 422 with file:line:col errors.
  async function reloadFile() {
    try {
      const r = await api.post("events/reload", {});
      reloadErrors = [];
      HD.toast(`Events file reloaded: ${r.events} events`, "ok");
    } catch (e) {
      reloadErrors = (e.body && Array.isArray(e.body.errors)) ? e.body.errors.map(String) : [];
      HD.toast("Reload refused: " + e.message);
    }
    panels.renderEvents();
  }
  async function eventAct(fn, done) {
    try {
      await fn();
      HD.toast(done, "ok");
    } catch (e) {
      HD.toast(done + ": " + e.message);
    }
    panels.renderEvents();
  }

  // -- licence --------------------------------------------------------
  // GET /licence: status valid, expiring, grace or limited; anything but
  // valid is a banner on every page. Admins install a new file (PUT, the
  // PEM cut into strings JSON accepts).
  const PEM_PART = 4000;		// < JSON_MAX_STRING (4096)
  const STATUS_TEXT = { valid: "Valid", expiring: "Expiring", grace: "Grace period", limited: "Limited mode" };

  panels.licence = null;
  panels.loadLicence = async function () {
    try {
      panels.licence = await api.maybe("licence");
    } catch (e) {
      panels.licence = null;
    }
    const l = panels.licence, warn = HD.$("licence-warn");
    warn.hidden = !l || l.status === "valid";
    if (!warn.hidden) {
      const left = `${l.days_left} day${l.days_left === 1 ? "" : "s"} left`;
      warn.textContent = (l.status === "expiring" ? `The licence expires soon: ${left}.`
        : l.status === "grace" ? `No valid licence: grace period, ${left}.`
        : "No valid licence: the master runs in limited mode.") + (l.problem ? ` (${l.problem})` : "");
      warn.className = "banner " + (l.status === "expiring" || l.status === "grace" ? "warn" : "bad");
    }
    return l;
  };

  panels.renderLicence = function () {
    const l = panels.licence, box = HD.$("licence");
    if (!l) return HD.clear(box, el("p.empty", { text: "Licence status is not available on this master." }));
    const level = l.status === "valid" ? "good" : l.status === "limited" ? "bad" : "warn";
    const row = (k, v) => el("tr", {}, el("th", { scope: "row", text: k }), cell(v));
    const iso = (t) => (t ? HD.date(Date.parse(t)) : null);
    HD.clear(box,
      el("div.tiles", {}, el("div.tile." + level, {},
        el("h3", {}, el("span.dot", { "aria-hidden": "true" }), STATUS_TEXT[l.status] || l.status),
        el("p.big", { text: l.installed ? `${l.days_left} d` : "No licence" }),
        el("ul.facts", {}, el("li", { text: l.installed ? "until " + iso(l.not_after) : l.grace_until ? "grace until " + iso(l.grace_until) : "" })))),
      l.problem ? el("p.error", { text: l.problem }) : null,
      el("table.data.kv", {}, el("tbody", {},
        row("Customer", l.customer), row("Serial", l.serial), row("Valid from", iso(l.not_before)),
        row("Valid until", iso(l.not_after)), row("Grace until", iso(l.grace_until)),
        // A limit is null when there is none (grace without a licence).
        row("Slaves", `${l.known_slaves} known` + (l.limits && l.limits.slaves != null
          ? `, ${l.limits.slaves} allowed` : ", no limit")),
        row("Z-Wave nodes", l.limits && l.limits.zwave_nodes != null ? `${l.limits.zwave_nodes} allowed` : "no limit"),
        row("Features", (l.features || []).join(", ") || null))),
      api.isAdmin() ? el("form.upload", { onsubmit: upload },
        el("label", { for: "licence-file", text: "Install a licence file" }),
        el("input", { id: "licence-file", type: "file", accept: ".pem,.lic,.crt,text/plain", required: true }),
        el("button.primary", { type: "submit", text: "Install" })) : null);
  };

  async function upload(ev) {
    ev.preventDefault();
    const f = HD.$("licence-file").files[0];
    if (!f) return;
    const text = await f.text(), pem = [];
    for (let i = 0; i < text.length; i += PEM_PART) pem.push(text.slice(i, i + PEM_PART));
    try {
      await api.call("PUT", "licence", { pem });
      HD.toast("Licence installed", "ok");
    } catch (e) {
      HD.toast("Licence refused: " + e.message);
    }
    await panels.loadLicence();
    panels.renderLicence();
  }
})();
