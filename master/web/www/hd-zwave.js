"use strict";
// The Z-Wave view (admins): per slave with a controller, inclusion and
// exclusion with live progress, S2 bootstrapping, the provisioning list;
// the node list with each node's state (listening or sleeping, failed,
// security, battery, last report, interview) and its maintenance: ping,
// remove or replace a failed node, heal the network, configuration
// parameters (docs/ZWAVE.md, "Node maintenance"). Maintenance steps come
// from GET /zwave/SLAVE/maintenance and then the stream's zwave events.
(function () {
  const { el, api, store } = HD;
  const zw = (HD.zwave = {});
  const { table, td } = HD.admin;
  const ZW_POLL_MS = 1000;		// inclusion progress, while one runs
  const ZW_PAGES_MAX = 8;		// pages of a slave's Z-Wave nodes, at most

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
      zw.renderZwave();
  });

  // The S2 provisioning list: QR code strings pasted or typed, listed
  // with their DSK; a device of the list included later needs no PIN.
  const PROV_RECHECK_MS = [400, 1500];	// the slave's answer, looked for twice
  const provOpen = {};			// per slave: the list left open across redraws
  const provDraft = {};			// per slave: a QR code being typed, kept across redraws
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
    // A redraw (any Z-Wave event) makes a new input: what was typed goes into it.
    const qr = el("input", { type: "text", inputmode: "numeric", autocomplete: "off", size: 40,
      "aria-label": "the device's QR code digits (90...)", placeholder: "90…", value: provDraft[node] || null,
      oninput: () => { provDraft[node] = qr.value; } });
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
      el("form.s2provadd", { onsubmit: (ev) => {
        ev.preventDefault();
        provDraft[node] = "";
        send({ action: "add", qr: qr.value });
      } },
        el("label", {}, "QR code string: ", qr), el("button", { type: "submit", text: "Add" })));
    return box;
  }

  zw.renderZwave = async function () {
    clearTimeout(zwTimer);
    const box = HD.$("zwave");
    const slaves = [...new Set([...store.devices.values()]
      .filter((d) => d.kind === "controller" || d.id.startsWith("zw:")).map((d) => d.node))].sort();
    if (!slaves.length) return HD.clear(box, el("p.empty", { text: "No slave has a Z-Wave controller." }));
    const parts = await Promise.all(slaves.map(zwSlave));
    if (HD.views.current !== "zwave") return;
    HD.clear(box, parts.map((p) => p.el));
    if (parts.some((p) => p.active)) zwTimer = setTimeout(zw.renderZwave, ZW_POLL_MS);
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
    const [st, nl, pl, ms] = await Promise.all([
      api.maybe(`zwave/${api.enc(node)}/inclusion`).catch(() => null),
      zwNodes(node).catch(() => null),
      api.maybe(`zwave/${api.enc(node)}/provisioning`).catch(() => null),
      api.maybe(`zwave/${api.enc(node)}/maintenance`).catch(() => null)]);
    if (ms) keepState(node, ms);
    const act = (action) => async () => {
      if (action !== "stop" && !(await HD.confirm(action === "include" ? "Include a device?" : "Exclude a device?",
        `${node} will wait for a device's button to be pressed.`, action === "include" ? "Include" : "Exclude")))
        return;
      try {
        await api.post(`zwave/${api.enc(node)}/inclusion`, { action });
      } catch (e) {
        HD.toast(`Z-Wave ${node}: ${e.message}`);
      }
      zw.renderZwave();
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
    const s2 = st ? zwS2(node, st.s2, zw.renderZwave) : null;
    return { active: (active || keying) && !(st.s2 && ["grant", "pin"].includes(st.s2.waiting)),
      el: el("section.panel", { "data-node": node },
      el("h2", { text: node }), ctl, s2, steps, zwProv(node, pl, zw.renderZwave),
      maintBox(node), nodeTable(node, nl)) };
  }

  // -- Node maintenance -------------------------------------------------
  // Per slave: the state as GET /zwave/SLAVE/maintenance gave it, then
  // kept by the stream's zwave events that carry an "op" (each step, the
  // requested one too): nothing is polled.
  const MAINT_STEPS_KEEP = 16;		// as the master's ZW_MAINT_HISTORY
  const ENDS = ["done", "failed", "refused"];
  const OP_NAME = { ping: "Ping", remove_failed: "Removal", replace_failed: "Replacement", heal: "Heal",
    config_get: "Parameter read", config_set: "Parameter set", stop: "Stop",
    assoc_get: "Group read", assoc_set: "Group add", assoc_remove: "Group remove" };
  const LISTEN = { always: "always listening", flirs: "listening (FLIRS)", sleeping: "sleeping" };
  const maint = {};			// slave -> {online, active, last, steps}
  const names = {};			// slave -> node id -> "name (zw:N:0)"
  const cfg = {};			// slave -> {node, param, value, known: {"N:P": step}}
  const pings = {};			// slave -> node id -> its last ping step
  const nodeLabel = (slave, n) => (names[slave] && names[slave][n]) || `node ${n}`;

  HD.stream.on("zwave", (e) => {
    if (!e || !e.op || !e.slave) return;
    const m = maint[e.slave] || (maint[e.slave] = { online: true, active: false, last: null, steps: [] });
    m.steps.push(e);
    m.steps.splice(0, m.steps.length - MAINT_STEPS_KEEP);
    if (e.op !== "stop") {
      m.last = e;
      m.active = !ENDS.includes(e.state);
    }
    remember(e.slave, e);
    if (HD.views.current === "zwave") refreshMaint(e.slave);
  });

  // A slave offline or back: its buttons follow (the master answers 409
  // while it is offline).
  HD.stream.on("node", (e) => {
    if (!e || !maint[e.node]) return;
    maint[e.node].online = !!e.online;
    if (HD.views.current === "zwave") refreshMaint(e.node);
  });

  // Step a came after step b (the same millisecond: an end after the rest).
  const later = (a, b) => a.time_ms > b.time_ms || (a.time_ms === b.time_ms &&
    ENDS.includes(a.state) && !ENDS.includes(b.state));

  // The state an answer of the API gives, unless the stream brought a
  // later step meanwhile (an answer may leave the master before a step
  // that reaches the page first).
  function keepState(slave, ms) {
    const m = maint[slave];
    for (const s of ms.steps) remember(slave, s);
    if (m && m.last && (!ms.last || later(m.last, ms.last))) m.online = ms.online;
    else maint[slave] = ms;
  }

  // What a step tells for later: a node's last ping (kept past the
  // steps listed), a parameter's size and range (for the set form).
  function remember(slave, s) {
    const p = pings[slave] || (pings[slave] = {});
    if (s.op === "ping" && s.node && !(p[s.node] && later(p[s.node], s))) p[s.node] = s;
    if (!s.param || s.state !== "done") return;
    const c = cfg[slave] || (cfg[slave] = { known: {} });
    c.known[`${s.node}:${s.param}`] = s;
  }

  // A ping's figures as the API gives them (docs/API.md).
  function pingText(s) {
    if (s.state === "requested" || s.state === "started") return "pinging…";
    if (s.rtt_ms === undefined) return s.reason;
    const parts = [s.tx_status === 0 ? `acknowledged in ${s.rtt_ms} ms` : `${s.reason} (after ${s.rtt_ms} ms)`];
    if (s.route_ms !== undefined) {
      parts.push(`${s.route_ms} ms on the air`,
        s.repeaters ? `${s.repeaters} repeater${s.repeaters > 1 ? "s" : ""}` : "direct (no repeater)",
        s.rssi_dbm === null ? "RSSI not measured" : `RSSI ${s.rssi_dbm} dBm`);
    }
    return parts.join(", ");
  }

  // A parameter as the node told it: value, size, range, default, name.
  function paramText(s) {
    const name = s.name ? ` “${s.name}”` : "";
    if (s.value === undefined) return `Parameter ${s.param}${name}: ${s.reason}`;
    const facts = [`${s.size} byte${s.size > 1 ? "s" : ""}`];
    if (s.min !== undefined) facts.push(`range ${s.min}..${s.max}`, `default ${s.default}`);
    return `Parameter ${s.param}${name}: ${s.value} (${facts.join(", ")})` +
      (s.op === "config_set" ? ` — ${s.reason}` : "");
  }

  // The status line: the operation under way (with the heal's meter and
  // Stop), else the last one's outcome.
  function maintStatus(slave) {
    const m = maint[slave], s = m && m.last;
    if (!s) return el("p", { text: "No maintenance yet." });
    // A heal's steps name the node each is about.
    const network = s.op === "heal" && (!s.node || s.total > 1);
    const what = `${OP_NAME[s.op] || s.op}${network ? " of the network" : s.node ? " of " + nodeLabel(slave, s.node) : ""}`;
    const word = s.state === "requested" ? "asked…" : s.state === "ready" ? "press the new device's button now"
      : network && s.node ? `${nodeLabel(slave, s.node)}: ${s.reason}` : s.reason;
    return el("p", {}, el("strong", { text: m.active ? `${what}: ` : `Last: ${what}: ` }),
      el("span", { "data-state": s.state, text: s.op === "ping" && !m.active ? pingText(s) : word }),
      !m.active && ENDS.includes(s.state) && s.state !== "done" ? [" ", HD.badge(s.state, "bad")] : null,
      s.total ? [" ", el("meter", { min: 0, max: s.total, value: s.done || 0,
        "aria-label": `${s.done || 0} of ${s.total} nodes` }), ` ${s.done || 0} of ${s.total}`] : null,
      el("span.sub", { text: " " + HD.time(s.time_ms) }));
  }

  function maintBox(slave) {
    const m = maint[slave];
    if (!m) return el("p.muted", { text: "Node maintenance is not available on this master." });
    const busy = m.active, off = m.online === false;
    const stoppable = busy && m.last && ["heal", "replace_failed"].includes(m.last.op);
    return el("div.zwmaint", { "data-maint": slave },
      el("div", { role: "status", "aria-live": "polite" }, maintStatus(slave)),
      stoppable ? el("button", { type: "button", text: "Stop", onclick: () => maintOp(slave, { op: "stop" }) }) : null,
      api.isAdmin() ? el("button", { type: "button", text: "Heal the network", disabled: busy || off,
        onclick: heal(slave) }) : null,
      opSteps(m));
  }

  // The steps of the operation under way or last, as an inclusion's are
  // listed: a replacement's wait and its new device, a heal node by node.
  function opSteps(m) {
    const from = m.steps.map((x) => x.state === "requested" && x.op !== "stop").lastIndexOf(true);
    const st = from < 0 ? [] : m.steps.slice(from).filter((x) => x.op === m.steps[from].op).slice(-6);
    if (st.length < 2) return null;
    return el("ol.zwsteps", {}, st.map((x) => el("li", {},
      el("span.sub", { text: HD.time(x.time_ms) + " " }), `${OP_NAME[x.op] || x.op}: ${x.state}`,
      x.node ? ` (node ${x.node})` : "", x.reason ? el("span.sub", { text: " — " + x.reason }) : null)));
  }

  function heal(slave) {
    return async () => {
      if (!(await HD.confirm(`Heal the network of ${slave}?`, "Each listening node's neighbours and its route back " +
        "to the controller are rebuilt, one node at a time; sleeping nodes are left out.", "Heal")))
        return;
      maintOp(slave, { op: "heal" });
    };
  }

  // Sent; the answer is the state (202), its steps come on the stream.
  async function maintOp(slave, body) {
    try {
      keepState(slave, await api.post(`zwave/${api.enc(slave)}/maintenance`, body));
    } catch (e) {
      HD.toast(`Z-Wave ${slave}: ${OP_NAME[body.op] || body.op}: ${e.message}`);
    }
    refreshMaint(slave);
  }

  // What the last steps changed, in place: the status line and buttons,
  // each node's last ping, an open parameter form's answer. The node
  // table itself is redrawn by the "devices" event (a node removed or
  // replaced), through the view's reload.
  function refreshMaint(slave) {
    const panel = document.querySelector(`#zwave section.panel[data-node="${CSS.escape(slave)}"]`);
    if (!panel) return;
    const box = panel.querySelector(".zwmaint");
    if (box) box.replaceWith(maintBox(slave));
    const m = maint[slave];
    for (const c of panel.querySelectorAll("td.zwres[data-res]"))
      HD.clear(c, lastPing(slave, Number(c.dataset.res)));
    const out = panel.querySelector(".zwcfgres");
    if (out) HD.clear(out, cfgResult(slave));
    for (const b of panel.querySelectorAll("button[data-op]")) b.disabled = !!(m && (m.active || m.online === false));
  }

  function lastPing(slave, n) {
    const s = pings[slave] && pings[slave][n];
    if (!s) return null;
    return el("span", { "data-state": s.state }, s.state === "failed" || s.state === "refused" ? [HD.badge(s.state, "bad"), " "] : null,
      pingText(s));
  }

  // -- the node list -----------------------------------------------------
  function nodeTable(slave, nl) {
    const rows = nl ? nl.nodes : [...store.devices.values()].filter((d) => d.node === slave && d.id.startsWith("zw:"))
      .map((d) => ({ node: Number(d.id.split(":")[1]), name: d.name, device: d.id, interview_pct: d.interview_pct,
        security: d.security, manufacturer: d.manufacturer, model: d.model }));
    if (!rows.length) return el("p.empty", { text: "No Z-Wave node yet." });
    names[slave] = {};
    for (const n of rows) names[slave][n.node] = `${n.name} (${n.device})`;
    const m = maint[slave], c = cfg[slave] || {};
    const model = (n) => [n.manufacturer, n.model].filter(Boolean).join(" ");
    return table(["Device", "State", "Security", "Battery", "Last report", "Interview", "Last ping", ""],
      rows.map((n) => [el("tr", { "data-zwnode": String(n.node) },
        el("th", { scope: "row" }, `${n.name} (${n.device})`, model(n) ? el("span.sub.zwmodel", { text: model(n) }) : null),
        td([n.listening ? LISTEN[n.listening] || n.listening : "—", n.failed ? [" ", HD.badge("failed", "bad")] : null]),
        td((n.security || "none").replace(/_/g, " ")),
        el("td.zwbat", {}, battery(n.battery, n.low_battery)),
        el("td.zwlast", {}, n.last_report_ms ? HD.agoEl(n.last_report_ms) : "—"),
        el("td.zwpct", {}, el("meter", { min: 0, max: 100, value: n.interview_pct,
          "aria-label": `interview ${n.interview_pct} %` }), " " + n.interview_pct + " %"),
        el("td.zwres", { "data-res": String(n.node) }, lastPing(slave, n.node)),
        td(m && api.isAdmin() ? nodeButtons(slave, n, m) : null)),
      c.node === n.node && m ? el("tr.zwcfg", {}, el("td", { colspan: 8 }, cfgForm(slave, n))) : null]), ".zwnodes");
  }

  function battery(pct, low) {
    if (pct === null || pct === undefined) return "—";
    return [`${pct} %`, low ? [" ", HD.badge("low battery", "warn")] : null];
  }

  // A value of a node on the stream: its row's battery and last report,
  // in place (the node list gave them at the last redraw).
  HD.stream.on("value", (e) => {
    const id = /^zw:(\d+):(\d+)$/.exec(e.device || "");
    if (!id || HD.views.current !== "zwave") return;
    const row = document.querySelector(`#zwave section.panel[data-node="${CSS.escape(e.node)}"] tr[data-zwnode="${id[1]}"]`);
    if (!row) return;
    if (!e.stale && !e.fault) HD.clear(row.querySelector("td.zwlast"), HD.agoEl(e.time_ms));
    if (e.key === "battery" && id[2] === "0") HD.clear(row.querySelector("td.zwbat"), battery(e.value, e.low_battery));
  });

  function nodeButtons(slave, n, m) {
    const off = m.active || m.online === false;
    const b = (text, op, fn) => el("button", { type: "button", text, "data-op": op, disabled: off, onclick: fn });
    return el("div.zwbtns", {},
      b("Ping", "ping", () => maintOp(slave, { op: "ping", node: n.node })),
      el("button", { type: "button", text: "Parameters", "aria-expanded": String((cfg[slave] || {}).node === n.node),
        onclick: () => toggleCfg(slave, n.node) }),
      // Only a failed node can be removed or replaced (the slave refuses
      // a node that answers).
      n.failed ? [b("Remove failed node", "remove_failed", async () => {
        if (await HD.confirm(`Remove node ${n.node}?`, `${n.name} (${n.device}) on ${slave} does not answer. It is ` +
          "taken out of the Z-Wave network, its device and values forgotten.", "Remove"))
          maintOp(slave, { op: "remove_failed", node: n.node });
      }), b("Replace failed node", "replace_failed", async () => {
        if (await HD.confirm(`Replace node ${n.node}?`, `${n.name} (${n.device}) on ${slave} does not answer. A new ` +
          "device takes its place and its id: press the new device's button when asked.", "Replace"))
          maintOp(slave, { op: "replace_failed", node: n.node });
      })] : null);
  }

  // -- configuration parameters ------------------------------------------
  function toggleCfg(slave, node) {
    const c = cfg[slave] || (cfg[slave] = { known: {} });
    c.node = c.node === node ? 0 : node;
    zw.renderZwave();
  }

  // The answer for the form's node and parameter: the last step of a
  // read or set of it, in words.
  function cfgResult(slave) {
    const c = cfg[slave], m = maint[slave];
    if (!c) return null;
    if (c.note) return el("span", { role: "alert" }, HD.badge("not sent", "warn"), " " + c.note);
    const s = m && [...m.steps].reverse().find((x) => (x.op === "config_get" || x.op === "config_set") &&
      x.node === c.node && (x.param === c.param || x.state === "requested"));
    if (!s) return null;
    if (s.state === "requested" || s.state === "started") return `${OP_NAME[s.op]}: asked…`;
    return el("span", { "data-state": s.state }, s.state !== "done" ? [HD.badge(s.state, "bad"), " "] : null,
      s.state === "done" ? paramText(s) : `${OP_NAME[s.op]} of parameter ${s.param || c.param}: ${s.reason}`);
  }

  // The range a value must be in, as far as the page knows: the node's
  // own (Configuration v3+), else what the parameter's size can hold,
  // else what the API takes.
  function cfgRange(c) {
    const k = c.known[`${c.node}:${c.param}`];
    if (k && k.min !== undefined) return [k.min, k.max, "the parameter's range"];
    if (k && k.size) return [-(2 ** (8 * k.size - 1)), 2 ** (8 * k.size - 1) - 1, `what ${k.size} byte${k.size > 1 ? "s" : ""} can hold`];
    return [-2147483648, 4294967295, "a 4-byte value"];
  }

  function cfgForm(slave, n) {
    const c = cfg[slave];
    const num = (name, label, min, max, v) => el("label", {}, label + " ",
      el("input", { type: "number", name, min, max, step: 1, required: name === "param", value: v === undefined ? "" : String(v),
        oninput: (ev) => { c[name] = ev.target.value === "" ? undefined : Number(ev.target.value); c.note = ""; } }));
    const send = (op) => (ev) => {
      ev.preventDefault();
      c.note = "";
      if (!Number.isInteger(c.param) || c.param < 1 || c.param > 255) c.note = "the parameter is a number, 1..255";
      else if (op === "config_set") {
        const [lo, hi, what] = cfgRange(c);
        if (!Number.isInteger(c.value)) c.note = "type the value to set (a whole number)";
        else if (c.value < lo || c.value > hi) c.note = `${c.value} is out of ${what} ${lo}..${hi}`;
      }
      if (c.note) return refreshMaint(slave);
      maintOp(slave, op === "config_get" ? { op, node: n.node, param: c.param }
        : { op, node: n.node, param: c.param, value: c.value });
    };
    return el("form.zwcfgform", { onsubmit: send("config_get"), "aria-label": `Configuration of node ${n.node}` },
      el("strong", { text: `Node ${n.node} parameters: ` }),
      num("param", "Parameter", 1, 255, c.param), el("button", { type: "submit", text: "Read", "data-op": "config_get" }),
      num("value", "Value", undefined, undefined, c.value),
      el("button", { type: "button", text: "Set", "data-op": "config_set", onclick: send("config_set") }),
      el("p.zwcfgres", { role: "status", "aria-live": "polite" }, cfgResult(slave)));
  }
})();
