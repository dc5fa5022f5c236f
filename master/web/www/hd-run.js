"use strict";
// "Run now" on the Events tab, exactly once across a takeover
// (docs/WEB.md, "Run now"; docs/FAILOVER.md#run-from-the-api). Each click
// gets a fresh random key (POST /api/v1/events/NAME/run {"key":K}). A
// call that fails for the connection (no answer, the master died or
// stepped down: 503) is made again with the SAME key, bounded: the
// master that has the key's record answers it as a repeat and fires
// nothing; one without it never ran it. The page may move to another
// master meanwhile (hd-handover.js): the runs still owed an answer go
// with it in the address's fragment and are asked again there.
(function () {
  const { api } = HD;
  const run = (HD.run = {});
  const GIVE_UP_MS = 15000;	// from the click (5 takeovers): then "may or may not have run"
  const TRIES_MAX = 30;		// calls of one run on one page at most
  const RETRY_MS = 500;		// between calls of one run
  const CALL_TIMEOUT_MS = 5000;	// one call (its answer waits <= 500 ms for the standby)
  const PENDING_MAX = 8;	// runs owed an answer at once (the fragment stays short)
  const KEY_BYTES = 16;		// 32 hex digits: the API takes 1 to 64 of [A-Za-z0-9._:-]
  const KEY_RUNS = "hd.runs";	// sessionStorage: this tab's runs owed an answer
  run.limits = { GIVE_UP_MS, TRIES_MAX, RETRY_MS, CALL_TIMEOUT_MS, PENDING_MAX };

  // key -> {event, key, t0, uncertain, going}
  const pending = new Map();
  let moved = false;		// handed to another master's page: kept no more here

  function newKey() {
    const b = new Uint8Array(KEY_BYTES);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  }

  function keep() {
    if (moved) return;
    try {
      const l = [...pending.values()].map(({ event, key, t0, uncertain }) => ({ event, key, t0, uncertain }));
      if (l.length) sessionStorage.setItem(KEY_RUNS, JSON.stringify(l));
      else sessionStorage.removeItem(KEY_RUNS);
    } catch (e) {
      /* storage refused: only this page carries them */
    }
  }

  // A run owed an answer, from storage or a fragment: checked field by field.
  function adopt(r) {
    if (!r || typeof r.event !== "string" || !r.event || r.event.length > 200 ||
        typeof r.key !== "string" || !/^[0-9a-f]{32}$/.test(r.key) ||
        typeof r.t0 !== "number" || pending.has(r.key) || pending.size >= PENDING_MAX)
      return;
    pending.set(r.key, { event: r.event, key: r.key, t0: r.t0, uncertain: !!r.uncertain, going: false });
  }

  // This tab's runs kept before a reload (written by this page's origin only).
  try {
    for (const r of JSON.parse(sessionStorage.getItem(KEY_RUNS) || "[]")) adopt(r);
  } catch (e) {
    /* nothing kept */
  }

  // Those the previous master's page handed over (hd-handover.js took
  // them out of the address), called by app.js once the hand-over's
  // exchange is known. Anyone can write a fragment into a link: a run in
  // it is asked only if a credential of this session came with it (the
  // exchange worked, `trusted`); else it is named as unknown, never run.
  run.moved = function (trusted) {
    for (const s of (HD.handover && HD.handover.incomingRuns) || []) {
      const m = /^([0-9a-f]{32})-(\d{1,16})-(.{1,600})$/.exec(s);
      let event = "";
      try {
        event = m ? decodeURIComponent(m[3]) : "";
      } catch (e) {
        /* a malformed name: dropped */
      }
      if (!event)
        continue;
      if (trusted)
        adopt({ key: m[1], t0: Number(m[2]), event, uncertain: true });
      else
        HD.toast(`${event}: its answer was lost in the move to this master: it may or may not ` +
          "have run; check Last fired");
    }
    if (HD.handover) HD.handover.incomingRuns = [];
    keep();
  };

  // For the move to another master (hd-handover.js go()): "" or
  // "&run=K-T0-NAME,..."; they leave this origin's storage, good once.
  run.fragment = function () {
    if (!pending.size) return "";
    const s = [...pending.values()].map((r) => `${r.key}-${r.t0}-${encodeURIComponent(r.event)}`);
    moved = true;
    try {
      sessionStorage.removeItem(KEY_RUNS);
    } catch (e) {
      /* nothing kept */
    }
    return "&run=" + s.join(",");
  };

  run.busy = (event) => [...pending.values()].some((r) => r.event === event);

  // The click on an event's Run now.
  run.click = function (event) {
    if (run.busy(event)) return;
    if (pending.size >= PENDING_MAX)
      return HD.toast(`${event}: not run: ${PENDING_MAX} runs still wait for their answer`);
    const r = { event, key: newKey(), t0: Date.now(), uncertain: false, going: false };
    pending.set(r.key, r);
    keep();
    drive(r);
  };

  // Logged in (app.js enter()): ask again for the runs owed an answer.
  run.resume = function () {
    for (const r of pending.values()) if (!r.going) drive(r);
  };

  // Which failures leave the run to be asked again: no answer at all, a
  // timeout, a master that is no master (a standby, one stepping down:
  // 503) or whose web process lost it (502, 503, 504).
  const again = (e) => e.status === 0 || e.status === 502 || e.status === 503 || e.status === 504;
  // Could it have fired? Not if a standby refused it (503 "not master"
  // without the event: it never reached a scheduler).
  const mayHave = (e) => !(e.status === 503 && e.code === "not master" && !(e.body && e.body.event));

  async function drive(r) {
    r.going = true;
    redraw();
    let tries = 0, last = null, answer = null;
    while (Date.now() - r.t0 < GIVE_UP_MS && tries < TRIES_MAX) {
      tries++;
      try {
        answer = await api.call("POST", `events/${api.enc(r.event)}/run`, { key: r.key },
          { timeoutMs: CALL_TIMEOUT_MS });
        break;
      } catch (e) {
        last = e;
        if (!again(e)) break;
        if (mayHave(e)) {
          r.uncertain = true;
          keep();
        }
      }
      await new Promise((res) => setTimeout(res, RETRY_MS));
    }
    pending.delete(r.key);
    keep();
    say(r, answer, last);
    redraw();
  }

  function say(r, j, e) {
    const n = r.event;
    if (j && j.run && j.run.repeat)
      return HD.toast(`${n}: already ran (retry): fired at ${clock(j.run.fired_ms)}, not run again`, "ok");
    if (j && j.run && j.run.replicated)
      return HD.toast(`${n}: ran (the standby holds its record)`, "ok");
    if (j && j.run)
      return HD.toast(`${n}: ran, not replicated: ${j.run.why || "no standby confirmed it"}`, "warn");
    if (j)
      return HD.toast(`${n}: ran`, "ok");	// a master without keyed runs (older)
    const what = e && !again(e) ? e.message : `no master answered within ${GIVE_UP_MS / 1000} s` +
      (e ? ` (last: ${e.message})` : "");
    if (r.uncertain || (e && again(e) && mayHave(e)))
      return HD.toast(`${n}: ${what}: it may or may not have run; check Last fired`);
    HD.toast(`${n}: not run: ${what}`);
  }

  const clock = (ms) => (ms ? new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit",
    second: "2-digit" }) : "an unknown time");

  // The buttons at once (the table may not be read again: the master
  // away), then the table with the run's outcome.
  function redraw() {
    for (const b of document.querySelectorAll("#events tr[data-event] button.run")) {
      const busy = run.busy(b.closest("tr").dataset.event);
      b.disabled = busy;
      b.textContent = busy ? "Running…" : "Run now";
      b.setAttribute("aria-busy", String(busy));
    }
    if (HD.views && HD.views.current === "events" && HD.panels && HD.panels.renderEvents)
      HD.panels.renderEvents().catch(() => {
        /* the master away: the table stays as it was; the toast says the outcome */
      });
  }
})();
