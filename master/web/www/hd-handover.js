"use strict";
// The hand-over to another master after a takeover (docs/WEB.md,
// "Hand-over"; docs/SECURITY.md). The masters are different hosts, and
// a cookie for one is never sent to the other. So while logged in the
// page holds hand-over credentials of its session (POST
// /api/v1/handover, renewed every refresh_ms) and the master-web
// addresses. When its stream stays down it asks every address it
// learned who is master (GET /api/v1/master; a standby answers 503
// naming the master), and moves the person to the new master with the
// credentials in the address's fragment: never sent to a server, never
// in a server's log, and taken out of the address bar (and history) as
// soon as the new page runs, which exchanges them for a session cookie.
(function () {
  const { api } = HD;
  const ho = (HD.handover = { creds: [], masters: [], master: "", term: 0, incoming: null,
    incomingRuns: [] });
  const GRACE_MS = 1000;		// the stream down this long: look for a master
  const PROBE_MS = 500;			// between rounds of questions
  const PROBE_TIMEOUT_MS = 2500;	// one question
  const SEARCH_SLOW_MS = 60000;		// no master this long: "unreachable", ask slower
  const RETRY_MINT_MS = 30000;		// a failed renewal, tried again
  const KEEP_CREDS = 2;			// the newest may not have reached a standby
  const OWN_QUIET_MS = 10000;		// our own master answered: no search this long
  // Kept for a page opened while its master is down (sw.js serves it):
  // the addresses for every tab of this origin, the credentials for
  // this tab only (sessionStorage), until used, logout or session end.
  const KEY_MASTERS = "hd.masters", KEY_CREDS = "hd.handover";
  let mintTimer = 0, graceTimer = 0, searching = 0, quietUntil = 0, orphan = false;
  const origin = (u) => {
    try {
      return new URL(u).origin;
    } catch (e) {
      return "";
    }
  };

  // Moved here by another master: the credentials leave the address bar
  // before anything else runs (app.js exchanges them).
  // "&run=": runs of the previous page still owed an answer (hd-run.js).
  const m = /^#handover=([0-9a-f.]{0,200})(?:&view=([a-z]+))?(?:&run=([^&#]{1,6000}))?$/.exec(location.hash);
  if (m) {
    ho.incoming = m[1].split(".").filter((c) => /^[0-9a-f]{64}$/.test(c));
    ho.incomingRuns = m[3] ? m[3].split(",") : [];
    history.replaceState(null, "", location.pathname + location.search + (m[2] ? "#/" + m[2] : ""));
  }

  async function mint() {
    clearTimeout(mintTimer);
    try {
      const r = await api.post("handover", {});
      ho.masters = r.masters.filter((x) => origin(x.url).startsWith("https://"));
      ho.master = r.master;
      ho.term = r.term;
      // No credential when the session has had its share this minute
      // (many tabs): the masters all the same, and when to ask again.
      if (r.credential) ho.creds = [r.credential, ...ho.creds].slice(0, KEEP_CREDS);
      keep();
      mintTimer = setTimeout(mint, Math.max(r.refresh_ms, 1000));
    } catch (e) {
      // 404: no other master-web address, nothing to hand over to; 400:
      // not a session. Else (the master away) keep what we hold and ask
      // again.
      if (e.status === 404 || e.status === 400) {
        ho.creds = ho.masters = [];
        keep();
      }
      else mintTimer = setTimeout(mint, RETRY_MINT_MS);
    }
  }

  function keep() {
    try {
      localStorage.setItem(KEY_MASTERS, JSON.stringify(ho.masters));
      sessionStorage.setItem(KEY_CREDS, ho.creds.join("."));
    } catch (e) {
      /* storage refused (private mode): only the open page hands over */
    }
  }
  // Logged out, or the session ended: the credentials are worthless.
  ho.forget = function () {
    try {
      sessionStorage.removeItem(KEY_CREDS);
      localStorage.removeItem(KEY_MASTERS);
    } catch (e) {
      /* nothing kept */
    }
  };

  // The shell served by sw.js, this master not answering at all (app.js):
  // look for the master with what was kept. false if nothing was.
  ho.orphan = function () {
    let masters = [], creds = [];
    try {
      masters = JSON.parse(localStorage.getItem(KEY_MASTERS) || "[]");
      creds = (sessionStorage.getItem(KEY_CREDS) || "").split(".");
    } catch (e) {
      return false;
    }
    if (!Array.isArray(masters)) return false;
    ho.masters = masters.filter((x) => x && typeof x.url === "string" &&
      typeof x.node === "string" && origin(x.url).startsWith("https://"));
    ho.creds = creds.filter((c) => /^[0-9a-f]{64}$/.test(c)).slice(0, KEEP_CREDS);
    if (ho.masters.length < 2) return false;
    orphan = true;
    search();
    return true;
  };

  if ("serviceWorker" in navigator && window.isSecureContext)
    navigator.serviceWorker.register("/sw.js").catch(() => {
      /* no shell kept (an untrusted certificate): the open page still hands over */
    });

  // Logged in (app.js enter()): learn the masters, hold a credential.
  ho.start = function () {
    ho.stop();
    return mint();
  };
  // Logged out: nothing is kept (the server ended them with the session).
  ho.stop = function () {
    clearTimeout(mintTimer);
    clearTimeout(graceTimer);
    graceTimer = 0;
    searching = 0;
    ho.creds = [];
    ho.masters = [];
  };

  // Who is master at `url`: {status, j} or null (no answer in time).
  async function ask(url) {
    const ctl = new AbortController();
    const t = setTimeout(() => ctl.abort(), PROBE_TIMEOUT_MS);
    try {
      const r = await fetch(new URL("api/v1/master", url), { credentials: "omit",
        cache: "no-store", signal: ctl.signal });
      return { status: r.status, j: await r.json() };
    } catch (e) {
      return null;
    } finally {
      clearTimeout(t);
    }
  }

  // One round: every address at once. A master answering 200 is taken
  // (the highest term if two do, an old master not yet stepped down);
  // a standby's 503 names the master, which is asked in the same round
  // if it is one of the addresses we learned (no other is ever asked:
  // the credentials go nowhere else).
  async function round() {
    const known = (u) => ho.masters.find((x) => origin(x.url) === origin(u));
    const answers = await Promise.all(ho.masters.map((x) => ask(x.url)));
    let best = null;
    answers.forEach((a, i) => {
      if (a && a.status === 200 && a.j && a.j.master && (!best || a.j.term > best.term))
        best = { node: a.j.master, term: a.j.term, url: ho.masters[i].url };
    });
    if (best) return best;
    for (const a of answers)
      if (a && a.status === 503 && a.j && a.j.url && known(a.j.url)) {
        const b = await ask(a.j.url);
        if (b && b.status === 200 && b.j && b.j.master)
          return { node: b.j.master, term: b.j.term, url: known(a.j.url).url };
      }
    return null;
  }

  // Without a credential (none made yet for this tab) the move is made
  // all the same: another tab's exchange may have set the cookie there.
  function go(found) {
    if (origin(found.url) === location.origin && orphan) return location.reload();
    if (origin(found.url) === location.origin) {
      // Our own master is master: the stream's own retries (hd-api.js)
      // carry on here; no new search for a while.
      searching = 0;
      quietUntil = Date.now() + OWN_QUIET_MS;
      HD.stream.setState("reconnecting", "Reconnecting…");
      return;
    }
    const view = (HD.views && HD.views.current) || "";
    try {
      sessionStorage.removeItem(KEY_CREDS);	// in the fragment now, good once
    } catch (e) {
      /* nothing kept */
    }
    location.assign(new URL("/", found.url).href + "#handover=" + ho.creds.join(".") +
      (/^[a-z]+$/.test(view) ? "&view=" + view : "") + (HD.run ? HD.run.fragment() : ""));
  }

  async function search() {
    const me = ++searching, t0 = Date.now();
    HD.stream.setState("takeover", "Taking over…");
    while (searching === me) {
      const found = await round();
      if (searching !== me) return;
      if (found) return go(found);
      const slow = Date.now() - t0 > SEARCH_SLOW_MS;
      if (slow) HD.stream.setState("offline", "Master unreachable");
      await new Promise((r) => setTimeout(r, slow ? 10 * PROBE_MS : PROBE_MS));
    }
  }

  // The stream's state (hd-api.js): down for GRACE_MS with other
  // masters known, look for the master; live again, stop looking, and say so
  // if another term began meanwhile (our own master elected again).
  HD.stream.on("link", (s) => {
    if (s === "live") {
      clearTimeout(graceTimer);
      graceTimer = 0;
      searching = 0;
      if (ho.term) newTerm();
      return;
    }
    if ((s === "reconnecting" || s === "offline") && ho.masters.length > 1 && !graceTimer && !searching &&
        Date.now() >= quietUntil)
      graceTimer = setTimeout(() => {
        graceTimer = 0;
        if (HD.stream.state !== "live" && ho.masters.length > 1) search();
      }, GRACE_MS);
  });

  async function newTerm() {
    try {
      const i = await api.get("master");
      if (i.term > ho.term) {
        ho.term = i.term;
        ho.master = i.master;
        ho.announce(i);
      }
    } catch (e) {
      /* asked again at the next drop */
    }
  }

  ho.announce = (i) => HD.toast(`master ${i.master} took over (term ${i.term})`, "ok");

  // On the new master: the credentials for a session cookie, newest
  // first. null if none works (used up by another tab, expired): the
  // caller then tries the cookie this browser may already hold here.
  ho.exchange = async function () {
    const creds = ho.incoming || [];
    ho.incoming = null;
    for (const credential of creds) {
      try {
        return await api.post("handover/exchange", { credential });
      } catch (e) {
        if (e.status === 429) break;
      }
    }
    return null;
  };
})();
