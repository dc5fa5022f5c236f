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
    s2_authenticated: "S2 Authenticated", s2_unauthenticated: "S2 Unauthenticated" };
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
      td(e.node ? `node ${e.node}` : "not yet"),
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
    const rows = nl ? nl.nodes.map((n) => ({ name: n.name, id: n.device, room: "", pct: n.interview_pct,
      sec: n.security, failed: n.failed, model: [n.manufacturer, n.model].filter(Boolean).join(" ") }))
      : [...store.devices.values()].filter((d) => d.node === node && d.id.startsWith("zw:")).map((d) => ({
        name: d.name, id: d.id, room: d.room, pct: d.interview_pct, sec: d.security, failed: false,
        model: [d.manufacturer, d.model].filter(Boolean).join(" ") }));
    const s2 = st ? zwS2(node, st.s2, zw.renderZwave) : null;
    return { active: (active || keying) && !(st.s2 && ["grant", "pin"].includes(st.s2.waiting)),
      el: el("section.panel", { "data-node": node },
      el("h2", { text: node }), ctl, s2, steps, zwProv(node, pl, zw.renderZwave),
      rows.length ? table(["Device", "Interview", "Security", "Model", ""], rows.map((d) => el("tr", {},
        el("th", { scope: "row", text: `${d.name} (${d.id})` }),
        td([el("meter", { min: 0, max: 100, value: d.pct, "aria-label": `interview ${d.pct} %` }), " " + d.pct + " %"]),
        td((d.sec || "none").replace(/_/g, " ")), td(d.model), td(d.failed ? HD.badge("failed", "bad") : null))))
        : el("p.empty", { text: "No Z-Wave node yet." })) };
  }
})();
