"use strict";
// The JSON API (docs/API.md) and its event stream, for every view.
// Calls carry the session cookie (set HttpOnly by the master) and, when
// they change state, the session's CSRF token. A 401 anywhere means the
// session ended: back to the login page.
(function () {
  const api = (HD.api = { csrf: "", user: "", role: "" });
  const STREAM_RETRY_MAX_MS = 10000;	// back-off cap when the stream is refused
  const POLL_MS = 5000;			// without a stream, re-read this often

  class ApiError extends Error {
    constructor(status, code, reason, body) {
      super(reason || code || "HTTP " + status);
      this.status = status;
      this.code = code || "";
      this.body = body || null;		// the answer's JSON, if any
    }
  }
  HD.ApiError = ApiError;

  // `o.timeoutMs`: no answer by then is a failure as if none came (status 0).
  api.call = async function (method, path, body, o) {
    const opt = { method, credentials: "same-origin", headers: {} };
    if (method !== "GET") {
      opt.headers["Content-Type"] = "application/json";
      opt.headers["X-CSRF-Token"] = api.csrf;
      opt.body = JSON.stringify(body || {});
    }
    let r, t = 0;
    if (o && o.timeoutMs) {
      const ctl = new AbortController();
      opt.signal = ctl.signal;
      t = setTimeout(() => ctl.abort(), o.timeoutMs);
    }
    let j = null;
    try {
      r = await fetch("/api/v1/" + path, opt);
      try {
        j = await r.json();
      } catch (e) {
        /* an empty or non-JSON answer: the status says enough */
        if (t && opt.signal.aborted) throw e;
      }
    } catch (e) {
      throw new ApiError(0, "network", t && opt.signal.aborted ? "no answer in time" : "the master does not answer");
    } finally {
      clearTimeout(t);
    }
    if (r.status === 401 && path !== "login") api.onExpired();
    if (!r.ok)
      throw new ApiError(r.status, j && j.error, (j && j.reason) || r.statusText, j);
    return j || {};
  };
  api.get = (p) => api.call("GET", p);
  api.post = (p, b) => api.call("POST", p, b);
  api.del = (p) => api.call("DELETE", p);
  api.patch = (p, b) => api.call("PATCH", p, b);
  // GET that answers null for an endpoint this master does not have yet
  // (404): the panel that asked hides itself or says "not available".
  api.maybe = async function (p) {
    try {
      return await api.get(p);
    } catch (e) {
      if (e.status === 404 || e.status === 405) return null;
      throw e;
    }
  };

  api.setSession = function (s) {
    api.csrf = s.csrf;
    api.user = s.user;
    api.role = s.role;
  };
  api.isAdmin = () => api.role === "admin";
  api.enc = (s) => encodeURIComponent(s);
  api.onExpired = () => {};

  // The stream: one EventSource, with a visible link state. The browser
  // reconnects by itself and sends Last-Event-ID, so missed events come
  // from the master's backlog; a "reset" (or a master that restarted:
  // its ids start again) makes the views re-read everything.
  const stream = (HD.stream = { handlers: {}, lastId: 0, es: null, state: "" });
  let retry = 1000, pollTimer = 0, retryTimer = 0;

  stream.on = (name, fn) => (stream.handlers[name] = stream.handlers[name] || []).push(fn);
  function emit(name, data) {
    for (const fn of stream.handlers[name] || []) {
      try {
        fn(data);
      } catch (e) {
        console.error(e);
      }
    }
  }
  function setState(s, text) {
    stream.state = s;
    const e = HD.$("link");
    e.dataset.state = s;
    e.textContent = text;
    emit("link", s);	// the hand-over watches it (hd-handover.js)
  }
  stream.setState = setState;

  function listen(es, name) {
    es.addEventListener(name, (ev) => {
      let d;
      try {
        d = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      if (ev.lastEventId) stream.lastId = Number(ev.lastEventId);
      emit(name, d);
    });
  }

  stream.start = function () {
    stream.stop();
    // A new EventSource does not send Last-Event-ID itself: the query does.
    const q = stream.lastId ? "?last_event_id=" + stream.lastId : "";
    const es = (stream.es = new EventSource("/api/v1/stream" + q));
    let wasDown = stream.state === "reconnecting";
    setState("connecting", "Connecting…");
    es.onopen = () => {
      retry = 1000;
      clearInterval(pollTimer);
      pollTimer = 0;
      setState("live", "Live");
    };
    es.onerror = () => {
      wasDown = true;
      if (es.readyState === EventSource.CLOSED) return refused();
      setState("reconnecting", "Reconnecting…");
    };
    for (const n of ["value", "node", "devices", "command", "event", "event_failed", "mode",
      "probe", "licence", "zwave", "event_missed"])
      listen(es, n);
    es.addEventListener("hello", (ev) => {
      const h = JSON.parse(ev.data);
      // A restarted master numbers from scratch: what we hold is stale.
      const restarted = stream.lastId && h.last_id < stream.lastId;
      if (restarted) stream.lastId = h.last_id;
      // After a drop the backlog replays what was missed (Last-Event-ID),
      // or sends "reset" when it cannot; only a restarted master's
      // numbering needs a re-read here.
      if (wasDown && restarted) emit("resync", { restarted });
      wasDown = false;
    });
    es.addEventListener("reset", () => emit("resync", { reset: true }));
  };

  // The master refused the stream (ended session, too many streams, an
  // older master without it): check the session, poll meanwhile, retry.
  async function refused() {
    stream.stop();
    setState("reconnecting", "Reconnecting…");
    try {
      await api.get("session");
    } catch (e) {
      if (e.status === 401) return;
      setState("offline", "Master unreachable");
    }
    if (!pollTimer) pollTimer = setInterval(() => emit("resync", { poll: true }), POLL_MS);
    retryTimer = setTimeout(stream.start, retry);
    retry = Math.min(retry * 2, STREAM_RETRY_MAX_MS);
  }

  stream.stop = function () {
    clearTimeout(retryTimer);
    if (stream.es) stream.es.close();
    stream.es = null;
  };
  stream.halt = function () {
    stream.stop();
    clearInterval(pollTimer);
    pollTimer = 0;
    stream.state = "";
  };
})();
