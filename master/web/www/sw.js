"use strict";
// The dashboard's shell for a master that does not answer (docs/WEB.md,
// "A page opened while its master is down"). A page opened or reloaded
// while its master is dead would get the browser's "connection refused"
// and the person would be stuck, though another master serves. This
// worker keeps a copy of the shell (the page and its scripts and style,
// nothing else) and serves it only when the master cannot be reached at
// all; the shell then finds the master that took over (hd-handover.js).
//
// Never cached: anything under /api/ (data, sessions, credentials), any
// other origin, anything but GET, any answer but a plain 200. While the
// master answers, every request goes to it (network first): the copy is
// refreshed, never served.
const CACHE = "hd-shell";
const SHELL = /^\/(?:[a-z0-9-]+\.(?:js|css))?$/;	// "/" and its assets

const isShell = (u) => u.origin === self.location.origin && SHELL.test(u.pathname) &&
  u.pathname !== "/sw.js";

// The page and what it loads, read from the page itself (so the list
// never drifts from index.html).
async function fill() {
  const r = await fetch("/", { cache: "no-store" });
  if (!r.ok) return;
  const html = await r.clone().text();
  const c = await caches.open(CACHE);
  await c.put("/", r);
  const refs = [...html.matchAll(/(?:src|href)="(\/[a-z0-9-]+\.(?:js|css))"/g)].map((m) => m[1]);
  await c.addAll(refs.filter((p) => isShell(new URL(p, self.location.origin))));
}

self.addEventListener("install", (e) => e.waitUntil(fill().then(() => self.skipWaiting())));
self.addEventListener("activate", (e) => e.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (e) => {
  const req = e.request, u = new URL(req.url);
  if (req.method !== "GET" || !isShell(u)) return;	// the network, untouched
  e.respondWith(fetch(req).then((r) => {
    if (r.status === 200 && r.type === "basic") {
      const copy = r.clone();
      e.waitUntil(caches.open(CACHE).then((c) => c.put(u.pathname, copy)));
    }
    return r;
  }, async () => {
    // No answer at all (refused, unreachable): the copy, if any.
    const hit = await caches.match(u.pathname, { cacheName: CACHE });
    return hit || Response.error();
  }));
});
