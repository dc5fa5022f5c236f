"use strict";
// The dashboard's entry: login, the session, the views behind the tabs
// (#overview, #devices, ...) and their refresh when the stream says
// something changed. No framework: each view is a render function.
(function () {
  const { api, el } = HD;
  const RENDER_COALESCE_MS = 250;	// stream bursts redraw the overview once
  const CLUSTER_REFRESH_MS = 5000;	// round trips and heartbeats, while shown

  const views = (HD.views = { current: "" });
  const render = {
    overview: () => HD.devs.renderOverview(),
    devices: () => HD.devs.renderDevices(),
    cluster: () => HD.panels.renderCluster(),
    events: () => HD.panels.renderEvents(),
    security: () => HD.admin.renderSecurity(),
    zwave: () => HD.zwave.renderZwave(),
    licence: () => HD.panels.renderLicence(),
  };

  views.show = function (name) {
    let tab = document.querySelector(`.tabs a[data-view="${name}"]`);
    if (!render[name] || !tab || tab.hidden) {
      name = "overview";
      tab = document.querySelector('.tabs a[data-view="overview"]');
    }
    views.current = name;
    for (const a of document.querySelectorAll(".tabs a"))
      a.setAttribute("aria-current", a.dataset.view === name ? "page" : "false");
    for (const s of document.querySelectorAll(".view")) s.hidden = s.id !== "view-" + name;
    document.title = `${tab.textContent} · homedaemon`;
    draw();
  };
  function draw() {
    if (!render[views.current]) return;	// not shown yet
    Promise.resolve(render[views.current]()).catch((e) => HD.toast(e.message));
  }

  // Values redraw their own card; the overview and cluster summaries are
  // redrawn, but at most once per RENDER_COALESCE_MS.
  let pending = 0;
  views.changed = function (what) {
    if (views.current === "devices" && what === "value") return;
    if (pending) return;
    pending = setTimeout(() => {
      pending = 0;
      if (["overview", "cluster"].includes(views.current) ||
          (views.current === "events" && what === "event") ||
          (views.current === "devices" && what === "node")) draw();
    }, RENDER_COALESCE_MS);
  };
  views.reload = async function () {
    try {
      await HD.devs.load();
    } catch (e) {
      if (e.status !== 401) HD.toast("Could not load the devices: " + e.message);
      return;
    }
    draw();
  };
  HD.stream.on("resync", () => views.reload());
  HD.stream.on("event", () => views.changed("event"));
  HD.stream.on("event_failed", () => views.changed("event"));	// a new last result
  HD.stream.on("event_missed", () => views.changed("event"));	// instants skipped
  HD.stream.on("mode", () => views.changed("event"));
  setInterval(() => views.current === "cluster" && !document.hidden && draw(), CLUSTER_REFRESH_MS);

  // -- session ----------------------------------------------------------

  function showLogin(msg) {
    HD.stream.halt();
    HD.handover.stop();
    HD.$("app").hidden = true;
    HD.$("login").hidden = false;
    const err = HD.$("login-error");
    err.hidden = !msg;
    err.textContent = msg || "";
    HD.$("login-pw").value = "";
    HD.$((HD.$("login-name").value ? "login-pw" : "login-name")).focus();
  }
  api.onExpired = () => {
    HD.handover.forget();
    if (HD.$("app").hidden) return;
    showLogin("Your session has ended. Please sign in again.");
  };

  async function enter(s) {
    api.setSession(s);
    HD.$("login").hidden = true;
    HD.$("app").hidden = false;
    HD.clear(HD.$("who"), el("strong", { text: s.user }), " ", HD.badge(s.role, "info"));
    for (const a of document.querySelectorAll(".tabs a[data-admin]")) a.hidden = !api.isAdmin();
    HD.stream.start();
    HD.handover.start();
    await views.reload();
    // Optional modules: their tab appears when their endpoint answers.
    const [events, lic] = await Promise.all([
      api.maybe("events").catch(() => null), HD.panels.loadLicence()]);
    document.querySelector('.tabs a[data-view="events"]').hidden = !events;
    document.querySelector('.tabs a[data-view="licence"]').hidden = !lic;
    views.show(location.hash.replace(/^#\/?/, ""));
    if (api.isAdmin()) HD.run.resume();	// runs owed an answer (hd-run.js)
  }

  async function login(ev) {
    ev.preventDefault();
    const btn = HD.$("login-submit"), err = HD.$("login-error");
    btn.disabled = true;
    btn.textContent = "Signing in…";
    err.hidden = true;
    try {
      await enter(await api.post("login", { name: HD.$("login-name").value.trim(),
        password: HD.$("login-pw").value }));
    } catch (e) {
      err.hidden = false;
      err.textContent = e.status === 401 ? "Wrong name or password."
        : e.status === 429 ? "Too many failed attempts: wait a little and try again."
        : "Sign-in failed: " + e.message;
      HD.$("login-pw").select();
    } finally {
      btn.disabled = false;
      btn.textContent = "Sign in";
    }
  }

  async function logout() {
    HD.handover.stop();
    HD.handover.forget();
    try {
      await api.post("logout", {});
    } catch (e) {
      /* the session may be gone already */
    }
    showLogin("");
  }

  document.addEventListener("DOMContentLoaded", async () => {
    HD.$("login-form").addEventListener("submit", login);
    HD.$("logout").addEventListener("click", logout);
    HD.$("site-filter").addEventListener("change", () => views.current === "devices" && draw());
    window.addEventListener("hashchange", () => views.show(location.hash.replace(/^#\/?/, "")));
    try {
      // Moved here by the hand-over (hd-handover.js): its credentials,
      // else a session this browser may already hold on this master.
      const moved = HD.handover.incoming !== null;
      const h = moved && (HD.stream.setState("takeover", "Taking over…"),
        await HD.handover.exchange());
      if (moved) HD.run.moved(!!h);	// runs owed an answer, only with a credential
      await enter(h || await api.get("session"));
      if (moved) HD.handover.announce(h || await api.get("master"));
    } catch (e) {
      showLogin(e.status && e.status !== 401 ? "The master answered: " + e.message : "");
      // This master does not answer at all: the shell (sw.js) is shown;
      // the master that took over is looked for, as by an open page.
      if (e.status === 0 && HD.handover.orphan()) {
        const err = HD.$("login-error");
        err.hidden = false;
        err.textContent = "This master does not answer: looking for the master that took over…";
        return;
      }
      // A standby (docs/FAILOVER.md): say which master to use, and link it.
      const b = e.body;
      if (e.status === 503 && b && b.error === "not master") {
        const err = HD.$("login-error");
        err.textContent = b.master ? `This is a standby master. The master is ${b.master}` +
          (b.url ? ": " : ".") : "This is a standby master; no master is elected yet.";
        if (b.master && /^https:\/\//.test(b.url || ""))
          err.append(el("a", { href: b.url, text: b.url }));
      }
    }
  });
})();
