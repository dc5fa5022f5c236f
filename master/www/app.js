"use strict";
// Until the dashboard lands, show whether the master answers.
(function () {
  const el = document.getElementById("status");
  fetch("/api/v1/health", { credentials: "same-origin" })
    .then((r) => r.json())
    .then((h) => {
      el.textContent = "Master " + h.version + " is up (" + h.uptime_s + " s).";
      el.className = "ok";
    })
    .catch(() => {
      el.textContent = "The master does not answer.";
      el.className = "bad";
    });
})();
