"use strict";
// Sites, nodes and devices: the store the views read, kept live by the
// stream, and the device cards with a control for each kind. A command
// shows "pending" until the slave's result arrives (stream "command"
// event, or GET /commands/{id} when the stream is down), then the state
// the device reported; a failure stays visible on the card. A command
// to a sleeping node is answered "queued" first (not final): the card
// says so until the node wakes up and the final result arrives.
(function () {
  const { el, api } = HD;
  const store = (HD.store = { devices: new Map(), nodes: [], sites: [], health: null });
  const CMD_POLL_MS = 2000;		// without a command event, ask this often
  const CMD_GIVE_UP_MS = 60000;		// and stop asking after this long
  const CMD_QUEUED_GIVE_UP_MS = 75 * 60000;	// ... or this, once queued (the slave holds it 70 min)
  const QUEUED_TEXT = "Queued — the device is asleep, it will act at its next wake-up";
  const HISTORY_PARALLEL = 2;		// history requests in flight at once
  const KIND = {
    switch: "Switch", dimmer: "Dimmer", lock: "Door lock", sensor: "Sensor",
    binary_sensor: "Contact", meter: "Meter", thermostat: "Thermostat",
    analog_in: "Analog input", gpio_out: "GPIO output", gpio_in: "GPIO input",
    controller: "Z-Wave controller", unknown: "Device",
  };
  const NUMERIC = new Set(["int", "double"]);
  const cmdSeen = new Map();		// command events that beat the POST answer
  const CMD_SEEN_MAX = 64;		// ... the last ones, enough for any race
  const DEVICE_PAGES_MAX = 64;		// pages of devices read at most
  const devs = HD.devs = {};

  const keyOf = (node, id) => node + "/" + id;
  const val = (d, k) => d.values.find((v) => v.key === k);

  // Every device: the API pages a long list ("next", ?offset=).
  async function allDevices() {
    const first = await api.maybe("devices");
    if (!first) return null;
    let next = first.next, pages = 1;
    while (next !== null && next !== undefined && pages++ < DEVICE_PAGES_MAX) {
      const r = await api.get("devices?offset=" + next);
      first.devices.push(...r.devices);
      next = r.next;
    }
    return first;
  }

  devs.load = async function () {
    const [sites, nodes, list] = await Promise.all([
      api.maybe("sites"), api.maybe("nodes"), allDevices()]);
    store.available = list !== null;
    store.sites = sites ? sites.sites : [];
    store.nodes = nodes ? nodes.nodes : [];
    const old = store.devices;
    store.devices = new Map();
    for (const d of list ? list.devices : []) {
      const o = old.get(keyOf(d.node, d.id));
      d.pending = o ? o.pending : {};
      d.failed = o ? o.failed : {};
      d.hist = o ? o.hist : {};
      store.devices.set(keyOf(d.node, d.id), d);
    }
    try {
      store.health = await (await fetch("/api/v1/health")).json();
    } catch (e) {
      store.health = null;
    }
    await HD.panels.loadCluster();
  };

  // -- live updates -------------------------------------------------

  HD.stream.on("value", (e) => {
    const d = store.devices.get(keyOf(e.node, e.device));
    const v = d && val(d, e.key);
    if (!v) return;
    Object.assign(v, { value: e.value, time_ms: e.time_ms, stale: e.stale,
      fault: e.fault, low_battery: e.low_battery });
    if (NUMERIC.has(v.type) && typeof e.value === "number") addPoint(d, e.key, e.value);
    refresh(d);
    HD.views.changed("value");
  });
  HD.stream.on("node", (e) => {
    const n = store.nodes.find((x) => x.id === e.node);
    if (n) {
      n.online = e.online;
      n.last_seen_ms = Date.now();
      if (e.online) n.online_since_ms = Date.now();
    }
    for (const d of store.devices.values())
      if (d.node === e.node) {
        d.online = e.online;
        refresh(d);
      }
    HD.views.changed("node");
  });
  HD.stream.on("devices", () => HD.views.reload());
  HD.stream.on("command", (e) => {
    cmdSeen.set(e.id, e);
    if (cmdSeen.size > CMD_SEEN_MAX) cmdSeen.delete(cmdSeen.keys().next().value);
    for (const d of store.devices.values())
      for (const [k, p] of Object.entries(d.pending))
        if (p.id === e.id) settle(d, k, e);
  });

  // "queued" is not a result: the command waits for the node's wake-up.
  function queuedFor(d, key, c) {
    if (c.status !== "queued") return false;
    const p = d.pending[key];
    if (p && !p.queued) {
      p.queued = true;
      refresh(d);
    }
    return true;
  }

  // The per-minute history of a value, extended by live readings so
  // the sparkline moves without asking the master again.
  function addPoint(d, key, x) {
    const pts = d.hist[key];
    if (!pts) return;
    const t = Math.floor(Date.now() / 60000) * 60000;
    const last = pts[pts.length - 1];
    if (last && last.t_ms === t) {
      last.min = Math.min(last.min, x);
      last.max = Math.max(last.max, x);
      last.avg = (last.avg * last.n + x) / (last.n + 1);
      last.n++;
    } else pts.push({ t_ms: t, min: x, max: x, avg: x, n: 1 });
    while (pts.length && pts[0].t_ms < Date.now() - 3600e3) pts.shift();
  }

  let histQueue = [], histBusy = 0;
  function wantHistory(d, key) {
    if (d.hist[key] !== undefined) return;
    d.hist[key] = null;			// asked for
    histQueue.push([d, key]);
    pumpHistory();
  }
  async function pumpHistory() {
    while (histBusy < HISTORY_PARALLEL && histQueue.length) {
      const [d, key] = histQueue.shift();
      histBusy++;
      api.maybe(`history/${api.enc(d.node)}/${api.enc(d.id)}/${api.enc(key)}?range=hour`)
        .then((h) => {
          d.hist[key] = h ? h.points : false;
          refresh(d);
        })
        .catch(() => (d.hist[key] = false))
        .finally(() => {
          histBusy--;
          pumpHistory();
        });
    }
  }

  // -- commands -----------------------------------------------------

  devs.command = async function (d, key, value, extra) {
    if (d.pending[key]) return;
    const body = Object.assign({ value }, extra || {});
    d.pending[key] = { id: 0, value, since: Date.now() };
    delete d.failed[key];
    refresh(d);
    let r;
    try {
      r = await api.post(`devices/${api.enc(d.node)}/${api.enc(d.id)}/values/${api.enc(key)}`, body);
    } catch (e) {
      return settle(d, key, { status: "failed", result: e.code || "error", detail: e.message });
    }
    d.pending[key].id = r.id;
    const early = cmdSeen.get(r.id);
    if (early && !queuedFor(d, key, early)) return settle(d, key, early);
    watchCommand(d, key, r.id);
  };

  // If the stream is down, the result must still arrive: ask for it.
  function watchCommand(d, key, id) {
    const t0 = Date.now();
    const tick = async () => {
      const p = d.pending[key];
      if (!p || p.id !== id) return;
      if (HD.stream.state !== "live") {
        try {
          const c = await api.get("commands/" + id);
          if (c.status !== "pending" && !queuedFor(d, key, c)) return settle(d, key, c);
        } catch (e) {
          /* try again below */
        }
      }
      if (Date.now() - t0 > (p.queued ? CMD_QUEUED_GIVE_UP_MS : CMD_GIVE_UP_MS))
        return settle(d, key, { status: "failed", result: "no_answer", detail: "no result from the master" });
      setTimeout(tick, CMD_POLL_MS);
    };
    setTimeout(tick, CMD_POLL_MS);
  }

  const RESULT = {
    unknown_device: "the slave does not know this device", read_only: "read-only",
    bad_value: "value refused", timeout: "the device did not confirm in time",
    device_fault: "device fault", busy: "the slave is busy", failed: "the device refused",
    offline: "the slave is offline", no_answer: "no answer", forbidden: "not allowed",
  };

  function settle(d, key, c) {
    if (!d.pending[key] || queuedFor(d, key, c)) return;
    delete d.pending[key];
    const v = val(d, key);
    if (c.status === "ok") {
      if (v && c.value !== null && c.value !== undefined) v.value = c.value;
    } else {
      const why = RESULT[c.result] || c.result || "failed";
      d.failed[key] = why + (c.detail && c.detail !== why ? ": " + c.detail : "");
      HD.toast(`${d.name}: ${d.failed[key]}`);
    }
    refresh(d);
  }

  // -- cards --------------------------------------------------------

  function toggle(d, v, label, extra) {
    const b = el("button.toggle", { type: "button", role: "switch", "aria-label": label,
      onclick: () => devs.command(d, v.key, !(b.getAttribute("aria-checked") === "true")) },
    el("span.knob"));
    const state = el("span.state"), age = el("span.sub");
    const w = el("div.switchrow", {}, b, state, extra, age);
    w._sync = () => {
      b.setAttribute("aria-checked", String(!!v.value));
      b.disabled = !d.control || !d.online;
      if (extra) extra.disabled = b.disabled || !!d.pending[v.key];
      b.classList.toggle("busy", !!d.pending[v.key]);
      state.textContent = d.pending[v.key] ? (d.pending[v.key].queued ? "Queued" : "Switching…") : HD.fmt(v.value, "", v.key);
      HD.clear(age, v.time_ms ? HD.agoEl(v.time_ms) : null);
    };
    return w;
  }

  function lockButton(d, v) {
    const b = el("button.lockbtn", { type: "button",
      onclick: async () => {
        const lock = !v.value;
        const ok = await HD.confirm(`${lock ? "Lock" : "Unlock"} ${d.name}?`,
          lock ? "The door will be locked." : "The door will be unlocked: anyone can open it.",
          lock ? "Lock" : "Unlock");
        if (ok) devs.command(d, v.key, lock);
      } });
    const state = el("span.state"), age = el("span.sub");
    const w = el("div.switchrow", {}, state, b, age);
    w._sync = () => {
      state.textContent = d.pending[v.key] ? (d.pending[v.key].queued ? "Queued" : "Moving…") : HD.fmt(v.value, "", "locked");
      state.classList.toggle("warntext", v.value === false);
      b.textContent = v.value ? "Unlock…" : "Lock…";
      b.disabled = !d.control || !d.online || !!d.pending[v.key];
      HD.clear(age, v.time_ms ? HD.agoEl(v.time_ms) : null);
    };
    return w;
  }

  function slider(d, v) {
    const min = v.max > v.min ? v.min : 0, max = v.max > v.min ? v.max : 99;
    const out = el("output.level");
    const r = el("input", { type: "range", min, max, step: 1, "aria-label": `${d.name} level`,
      oninput: () => (out.textContent = r.value + (v.unit ? " " + v.unit : " %")),
      onchange: () => devs.command(d, v.key, Number(r.value)) });
    const w = el("div.slider", {}, r, out);
    w._sync = () => {
      if (document.activeElement !== r || !d.pending[v.key]) r.value = v.value ?? min;
      out.textContent = HD.fmt(Number(r.value), v.unit || "%");
      r.disabled = !d.control || !d.online;
    };
    return w;
  }

  function numberInput(d, v) {
    const n = el("input", { type: "number", step: v.type === "int" ? 1 : 0.5,
      min: v.max > v.min ? v.min : null, max: v.max > v.min ? v.max : null,
      "aria-label": `${d.name} ${v.key}` });
    const f = el("form.setter", { onsubmit: (e) => {
      e.preventDefault();
      if (n.value !== "") devs.command(d, v.key, Number(n.value));
    } }, n, el("button", { type: "submit", text: "Set" }));
    f._sync = () => {
      if (document.activeElement !== n && v.value !== null) n.value = v.value;
      n.disabled = !d.control || !d.online;
    };
    return f;
  }

  // A thermostat's mode (ZWAVE.md): a mode it lacks is refused by the
  // slave, and the toast says so.
  const THERMOSTAT_MODES = ["off", "heat", "cool", "auto", "aux", "resume", "fan", "furnace",
    "dry", "moist", "auto_changeover", "energy_heat", "energy_cool", "away", "full_power"];

  function modeSelect(d, v) {
    const s = el("select", { "aria-label": `${d.name} mode`,
      onchange: () => devs.command(d, v.key, s.value) },
    THERMOSTAT_MODES.map((m) => el("option", { value: m, text: m.replace(/_/g, " ") })));
    s._sync = () => {
      if (v.value && !THERMOSTAT_MODES.includes(v.value) && !s.querySelector(`option[value="${v.value}"]`))
        s.append(el("option", { value: v.value, text: v.value }));
      if (document.activeElement !== s || !d.pending[v.key]) s.value = v.value ?? "off";
      s.disabled = !d.control || !d.online || !!d.pending[v.key];
    };
    return s;
  }

  // A colour light's "#rrggbb".
  function colorInput(d, v) {
    const c = el("input", { type: "color", "aria-label": `${d.name} colour`,
      onchange: () => devs.command(d, v.key, c.value) });
    c._sync = () => {
      if (document.activeElement !== c && /^#[0-9a-f]{6}$/i.test(v.value || "")) c.value = v.value;
      c.disabled = !d.control || !d.online || !!d.pending[v.key];
    };
    return c;
  }

  function pulseButton(d, v) {
    const b = el("button", { type: "button", text: "Pulse",
      title: `On for ${PULSE_MS} ms, then off`,
      onclick: () => devs.command(d, v.key, true, { pulse_ms: PULSE_MS }) });
    return b;
  }
  const PULSE_MS = 500;

  function controls(d) {
    const out = [];
    for (const v of d.values) {
      if (!v.writable) continue;
      let c;
      if (d.kind === "lock" && v.type === "bool") c = lockButton(d, v);
      else if (v.type === "bool")
        c = toggle(d, v, `${d.name} ${v.key}`, d.kind === "gpio_out" ? pulseButton(d, v) : null);
      else if (d.kind === "dimmer" && NUMERIC.has(v.type) && v.key.startsWith("level")) c = slider(d, v);
      else if (NUMERIC.has(v.type)) c = numberInput(d, v);
      else if (v.key === "thermostat_mode") c = modeSelect(d, v);
      else if (v.key === "color") c = colorInput(d, v);
      else continue;
      c._key = v.key;
      out.push(c);
    }
    return out;
  }

  // History is asked for only once a card scrolls into view: a page of a
  // hundred sensors does not cost a hundred requests up front.
  const seen = "IntersectionObserver" in window ? new IntersectionObserver((es) => {
    for (const e of es)
      if (e.isIntersecting) {
        seen.unobserve(e.target);
        e.target._want();
      }
  }) : null;

  function reading(d, v) {
    const row = el("div.reading", { "data-key": v.key });
    const numeric = NUMERIC.has(v.type);
    if (numeric && seen) {
      row._want = () => wantHistory(d, v.key);
      seen.observe(row);
    } else if (numeric) wantHistory(d, v.key);
    row._sync = () => {
      const flags = [];
      if (v.fault) flags.push(HD.badge("fault", "bad"));
      if (v.stale) flags.push(HD.badge("stale", "warn", "last known value"));
      if (v.low_battery) flags.push(HD.badge("low battery", "warn"));
      const spark = numeric && d.hist[v.key]
        ? el("button.sparkbtn", { type: "button", "aria-label": `History of ${d.name} ${v.key}`,
          onclick: () => HD.history.open(d, v) },
        HD.chart.spark(d.hist[v.key], Date.now() - 3600e3, Date.now())) : null;
      HD.clear(row,
        el("div.rmain", {},
          el("div.rhead", {}, el("span.key", { text: v.key.replace(/_/g, " ") }), HD.agoEl(v.time_ms)),
          el("div.rval", {}, el("span.value", { text: HD.fmt(v.value, v.unit, v.key) }), flags)),
        spark);
    };
    return row;
  }

  function card(d) {
    const c = el("article.card", { "data-kind": d.kind, "data-id": d.id, "data-node": d.node,
      "aria-label": d.name });
    const badges = el("span.badges");
    const status = el("p.status", { "aria-live": "polite" });
    const ctl = el("div.controls", {}, controls(d));
    const reads = el("div.readings", {}, d.values.filter((v) => !v.writable || v.type !== "bool")
      .filter((v) => !(v.writable && d.kind === "dimmer")).map((v) => reading(d, v)));
    HD.append(c, [el("header", {},
      el("div", {}, el("h3", { text: d.name }),
        el("span.sub", { text: [KIND[d.kind] || d.kind, d.manufacturer, d.model].filter(Boolean).join(" · ") })),
      badges), ctl.childNodes.length ? ctl : null, reads, status]);
    c._sync = () => {
      const b = [];
      if (!d.online) b.push(HD.badge("offline", "bad"));
      if (d.values.some((v) => v.fault)) b.push(HD.badge("fault", "bad"));
      if (d.values.some((v) => v.low_battery)) b.push(HD.badge("battery", "warn", "low battery"));
      if (d.kind !== "controller" && d.interview_pct < 100) b.push(HD.badge(`interview ${d.interview_pct} %`, "warn"));
      if (d.security && d.security !== "none")
        b.push(HD.badge(d.security.slice(0, 2).toUpperCase(), "info", "Z-Wave security: " + d.security.replace(/_/g, " ")));
      HD.clear(badges, b);
      c.classList.toggle("offline", !d.online);
      const pend = Object.keys(d.pending), fail = Object.entries(d.failed);
      const asleep = pend.length > 0 && pend.every((k) => d.pending[k].queued);
      c.classList.toggle("pending", pend.length > 0);
      c.setAttribute("aria-busy", String(pend.length > 0));
      for (const x of ctl.children) if (x._key) x.classList.toggle("busy", !!d.pending[x._key]);
      status.className = "status" + (fail.length ? " bad" : asleep ? " queued" : pend.length ? " pending" : "");
      status.textContent = asleep ? QUEUED_TEXT : pend.length ? "Waiting for the device…" : fail.length
        ? "Failed: " + fail.map(([, w]) => w).join("; ") : "";
      for (const x of [...ctl.children, ...reads.children]) if (x._sync) x._sync();
    };
    c._sync();
    d.card = c;
    return c;
  }

  function refresh(d) {
    if (d.card && d.card.isConnected) d.card._sync();
  }

  // -- views --------------------------------------------------------

  const bySite = () => {
    const m = new Map();
    for (const d of store.devices.values()) {
      if (!m.has(d.site)) m.set(d.site, []);
      m.get(d.site).push(d);
    }
    return m;
  };

  devs.renderDevices = function () {
    const box = HD.$("devices"), sel = HD.$("site-filter");
    if (seen) seen.disconnect();	// the old cards go: stop watching them
    if (!store.available) {
      HD.clear(box, el("p.empty", { text: "The device list is not available on this master." }));
      return;
    }
    const sites = bySite(), names = [...sites.keys()].sort();
    const want = devs.wantSite !== undefined ? devs.wantSite : sel.value;
    devs.wantSite = undefined;
    HD.clear(sel, el("option", { value: "", text: "All sites" }),
      names.map((n) => el("option", { value: n, text: n })));
    sel.value = names.includes(want) ? want : "";
    const groups = [];
    for (const site of names) {
      if (sel.value && site !== sel.value) continue;
      const rooms = new Map();
      for (const d of sites.get(site).sort((a, b) => a.name.localeCompare(b.name))) {
        const r = d.room || "";
        if (!rooms.has(r)) rooms.set(r, []);
        rooms.get(r).push(d);
      }
      groups.push(el("section.site", { "data-site": site, "aria-label": site },
        el("h2", { text: site }),
        // Rooms by name; devices without a room come last.
        [...rooms.keys()].sort((a, b) => (!a) - (!b) || a.localeCompare(b)).map((r) => el("div.room", {},
          el("h3.roomname", { text: r || "No room" }),
          el("div.cards", {}, rooms.get(r).map(card))))));
    }
    HD.clear(box, groups.length ? groups : el("p.empty", { text: "No devices yet." }));
  };

  // One site's health: slaves online, faulted devices, low batteries.
  devs.siteHealth = function (site, devices) {
    const nodes = store.nodes.filter((n) => n.site === site);
    const h = { nodes: nodes.length, online: nodes.filter((n) => n.online).length,
      devices: devices.length, fault: 0, battery: 0, stale: 0 };
    for (const d of devices) {
      if (d.values.some((v) => v.fault)) h.fault++;
      if (d.values.some((v) => v.low_battery)) h.battery++;
      if (d.values.some((v) => v.stale)) h.stale++;
    }
    const s = store.sites.find((x) => x.name === site);
    if (!nodes.length && s) {
      h.nodes = s.nodes;
      h.online = s.online;
    }
    h.level = h.online < h.nodes || h.fault ? "bad" : h.battery || h.stale ? "warn" : "good";
    return h;
  };

  devs.renderOverview = function () {
    const sites = bySite();
    for (const s of store.sites) if (!sites.has(s.name)) sites.set(s.name, []);
    const tiles = [...sites.keys()].sort().map((name) => {
      const h = devs.siteHealth(name, sites.get(name));
      const line = (n, text, kind) => el("li" + (n && kind ? "." + kind : ""), {},
        el("strong", { text: String(n) }), " " + text);
      return el("a.tile.site." + h.level, { href: "#/devices", "data-site": name,
        onclick: () => (devs.wantSite = name) },
      el("h3", {}, el("span.dot", { "aria-hidden": "true" }), name),
      el("p.big", { text: `${h.online}/${h.nodes}` }, el("span.unit", { text: " slaves online" })),
      el("ul.facts", {}, line(h.devices, "devices"), line(h.fault, "faulted", "bad"),
        line(h.battery, "low battery", "warn"), line(h.stale, "stale", "warn")));
    });
    HD.clear(HD.$("overview-sites"), tiles.length ? tiles
      : el("p.empty", { text: store.available ? "No site has reported yet." : "Site overview not available on this master." }));
    HD.panels.clusterTiles(HD.$("overview-cluster"));
  };
})();
