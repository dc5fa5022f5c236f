"use strict";
// Small helpers shared by every part of the dashboard: building DOM
// without innerHTML (text from the API is never parsed as markup),
// times and numbers as people read them, and toasts for failures.
const HD = (window.HD = {});

HD.$ = (id) => document.getElementById(id);

// el("div.card.warn", {title: "x", onclick: f}, child, "text", ...)
HD.el = function (spec, attrs, ...kids) {
  const [tag, ...cls] = spec.split(".");
  const e = document.createElement(tag || "div");
  if (cls.length) e.className = cls.join(" ");
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  HD.append(e, kids);
  return e;
};

HD.append = function (e, kids) {
  for (const k of kids.flat(Infinity)) {
    if (k === null || k === undefined || k === false) continue;
    e.append(k instanceof Node ? k : String(k));
  }
  return e;
};

HD.clear = (e, ...kids) => {
  e.replaceChildren();
  return HD.append(e, kids);
};

// "12 s ago", "4 min ago", "3 h ago", "2 d ago"
HD.ago = function (ms) {
  if (!ms) return "never";
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return s + " s ago";
  if (s < 3600) return Math.floor(s / 60) + " min ago";
  if (s < 86400) return Math.floor(s / 3600) + " h ago";
  return Math.floor(s / 86400) + " d ago";
};

HD.duration = function (s) {
  if (s < 60) return Math.round(s) + " s";
  if (s < 3600) return Math.floor(s / 60) + " min";
  if (s < 86400) return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
  return Math.floor(s / 86400) + " d " + Math.floor((s % 86400) / 3600) + " h";
};

HD.time = (ms) =>
  ms ? new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "—";
HD.date = (ms) =>
  ms ? new Date(ms).toLocaleDateString([], { year: "numeric", month: "short", day: "numeric" }) : "—";
HD.datetime = (ms) => (ms ? HD.date(ms) + " " + HD.time(ms) : "—");

// A reading as text: 21.4 °C, On, Open, 42 %.
HD.fmt = function (v, unit, key) {
  if (v === null || v === undefined) return "—";
  if (typeof v === "boolean") {
    if (key === "open") return v ? "Open" : "Closed";
    if (key === "locked") return v ? "Locked" : "Unlocked";
    if (key === "motion") return v ? "Motion" : "Still";
    return v ? "On" : "Off";
  }
  if (typeof v === "number") {
    const t = Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 10 ? 2 : 1);
    return unit ? t + " " + unit : t;
  }
  return String(v);
};

// Elements with data-ago hold a time in ms; one timer keeps them fresh.
HD.agoEl = (ms) => HD.el("span.ago", { "data-ago": String(ms || 0), text: HD.ago(ms) });
setInterval(() => {
  for (const e of document.querySelectorAll("[data-ago]"))
    e.textContent = HD.ago(Number(e.dataset.ago));
}, 1000);

// A failure is shown, never swallowed: a toast that stays until read
// (closed by its button or after a while) and is read out by screen readers.
HD.toast = function (text, kind) {
  const t = HD.el("div.toast." + (kind || "bad"), { role: "status" },
    HD.el("span", { text }),
    HD.el("button.ghost", { type: "button", "aria-label": "Dismiss", text: "×",
      onclick: () => t.remove() }));
  HD.$("toasts").append(t);
  setTimeout(() => t.remove(), kind === "ok" ? 4000 : 12000);
};

// A confirmation in a modal dialog (keyboard: Enter/Escape). Resolves
// true only for the OK button.
HD.confirm = function (title, text, okLabel) {
  const d = HD.$("confirm");
  HD.$("confirm-title").textContent = title;
  HD.$("confirm-text").textContent = text;
  HD.$("confirm-ok").textContent = okLabel || "OK";
  d.returnValue = "";
  d.showModal();
  return new Promise((res) =>
    d.addEventListener("close", () => res(d.returnValue === "ok"), { once: true }));
};

HD.badge = (text, kind, title) => HD.el("span.badge." + kind, { text, title });
