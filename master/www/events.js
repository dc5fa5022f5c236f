"use strict";
// The scheduler's page (docs/SCHEDULER.md, docs/API.md#events-and-modes):
// each event's next and last firing and last result, enable/disable/run
// and reload for admins, the modes for users. Text only goes in with
// textContent, never as HTML. Refreshed every 30 s while visible.
(function () {
  const api = "/api/v1/";
  const $ = (id) => document.getElementById(id);
  let csrf = "", role = "";

  function say(text, bad) {
    $("msg").textContent = text;
    $("msg").className = bad ? "bad" : "";
  }

  async function call(method, path, body) {
    const opt = { method, credentials: "same-origin", headers: {} };
    if (method !== "GET") {
      opt.headers["X-CSRF-Token"] = csrf;
      opt.headers["Content-Type"] = "application/json";
      opt.body = JSON.stringify(body || {});
    }
    const r = await fetch(api + path, opt);
    const j = await r.json().catch(() => ({}));
    return { status: r.status, body: j };
  }

  function when(ms) {
    return ms === null ? "\u2014" : new Date(ms).toLocaleString();
  }

  function cell(tr, text, cls) {
    const td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  function button(td, label, action) {
    const b = document.createElement("button");
    b.textContent = label;
    b.addEventListener("click", action);
    td.appendChild(b);
  }

  async function act(name, what) {
    const r = await call("POST", "events/" + encodeURIComponent(name) + "/" + what);
    if (r.status !== 200) say(what + " " + name + ": " + (r.body.reason || r.status), true);
    await load();
  }

  function row(ev) {
    const tr = document.createElement("tr");
    if (!ev.enabled) tr.className = "off";
    cell(tr, ev.name).title = ev.file + ":" + ev.line;
    cell(tr, ev.enabled ? when(ev.next_ms) : "disabled");
    cell(tr, when(ev.last_fired_ms));
    cell(tr, ev.last_result, ev.last_result.startsWith("failed") ? "failed" : "");
    cell(tr, ev.pending ? String(ev.pending) : "");
    const td = cell(tr, "");
    if (role === "admin") {
      button(td, ev.enabled ? "Disable" : "Enable", () => act(ev.name, ev.enabled ? "disable" : "enable"));
      button(td, "Run", () => act(ev.name, "run"));
    }
    return tr;
  }

  function modeSelect(m) {
    const label = document.createElement("label");
    label.textContent = m.name + " ";
    const sel = document.createElement("select");
    sel.disabled = role === "viewer";
    for (const v of m.values) {
      const o = document.createElement("option");
      o.textContent = v;
      o.selected = v === m.value;
      sel.appendChild(o);
    }
    sel.addEventListener("change", async () => {
      const r = await call("PUT", "modes", { mode: m.name, value: sel.value });
      if (r.status !== 200) say("mode " + m.name + ": " + (r.body.reason || r.status), true);
      await load();
    });
    label.appendChild(sel);
    return label;
  }

  async function load() {
    const rows = [];
    let from = 0;
    while (from !== null) {
      const r = await call("GET", "events" + (from ? "?from=" + from : ""));
      if (r.status === 401) return showLogin();
      if (r.status !== 200) return say("The events: " + (r.body.reason || r.status), true);
      for (const ev of r.body.events) rows.push(row(ev));
      from = r.body.next;
    }
    $("events").replaceChildren(...rows);
    const m = await call("GET", "modes");
    if (m.status === 200) $("modes").replaceChildren(...m.body.modes.map(modeSelect));
  }

  function showLogin() {
    $("app").hidden = true;
    $("login").hidden = false;
  }

  async function start() {
    const s = await call("GET", "session");
    if (s.status !== 200) return showLogin();
    csrf = s.body.csrf;
    role = s.body.role;
    $("login").hidden = true;
    $("app").hidden = false;
    $("reload").hidden = role !== "admin";
    say("Logged in as " + s.body.user + " (" + role + ").");
    await load();
  }

  $("login").addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const r = await call("POST", "login", { name: f.get("name"), password: f.get("password") });
    if (r.status !== 200) return say(r.body.reason || "Login failed.", true);
    e.target.reset();
    await start();
  });

  $("reload").addEventListener("click", async () => {
    const r = await call("POST", "events/reload");
    $("errors").hidden = r.status === 200;
    $("errors").textContent = (r.body.errors || []).join("\n");
    say(r.status === 200 ? "Reloaded: " + r.body.events + " events." :
      r.body.reason || "Reload failed.", r.status !== 200);
    await load();
  });

  setInterval(() => { if (!document.hidden && !$("app").hidden) load(); }, 30000);
  start().catch(() => say("The master does not answer.", true));
})();
