"use strict";
// Charts in SVG, drawn from the history API's per-minute points
// ({t_ms, min, max, avg, n}): a sparkline for cards, and a chart with
// axes and a min..max band for the history dialog. Colours come from the
// stylesheet (classes), so dark mode needs nothing here.
(function () {
  const NS = "http://www.w3.org/2000/svg";
  const svg = (tag, attrs) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    return e;
  };
  const chart = (HD.chart = {});

  function extent(points, lo, hi) {
    let a = Infinity, b = -Infinity;
    for (const p of points) {
      a = Math.min(a, p[lo]);
      b = Math.max(b, p[hi]);
    }
    if (a === b) {
      a -= 1;
      b += 1;
    }
    return [a, b];
  }
  const path = (pts) => pts.map((p, i) => (i ? "L" : "M") + p[0].toFixed(1) + " " + p[1].toFixed(1)).join("");

  // A sparkline of the average per minute over [from, to] ms.
  chart.spark = function (points, from, to) {
    const W = 120, H = 32, P = 2;
    const s = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "spark", "aria-hidden": "true",
      preserveAspectRatio: "none" });
    if (points.length < 2) return s;
    from = Math.max(from, points[0].t_ms);	// a young history fills the width
    const [y0, y1] = extent(points, "avg", "avg");
    const x = (t) => P + ((t - from) / (to - from)) * (W - 2 * P);
    const y = (v) => H - P - ((v - y0) / (y1 - y0)) * (H - 2 * P);
    const line = points.map((p) => [x(p.t_ms), y(p.avg)]);
    const area = line.concat([[line[line.length - 1][0], H], [line[0][0], H]]);
    s.append(svg("path", { d: path(area) + "Z", class: "spark-area" }));
    s.append(svg("path", { d: path(line), class: "spark-line" }));
    return s;
  };

  function niceTicks(a, b, n) {
    const raw = (b - a) / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
    const out = [];
    for (let v = Math.ceil(a / step) * step; v <= b + step / 1e6; v += step) out.push(+v.toFixed(10));
    return out;
  }

  // Stacked bars, one per step, one colour per series (class sN in the
  // stylesheet): probes per class over time. `counts` maps a name to its
  // points, oldest first; `start`/`step` in ms.
  chart.stacked = function (box, counts, start, step, names) {
    const W = 640, H = 180, L = 36, R = 8, T = 8, B = 24;
    const n = Math.max(0, ...names.map((k) => (counts[k] || []).length));
    const tot = Array.from({ length: n }, (_, i) => names.reduce((a, k) => a + ((counts[k] || [])[i] || 0), 0));
    const max = Math.max(1, ...tot);
    const s = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "hchart stacked", role: "img",
      "aria-label": `${tot.reduce((a, b) => a + b, 0)} probes in ${n} steps` });
    const bw = (W - L - R) / Math.max(1, n), y = (v) => T + (1 - v / max) * (H - T - B);
    for (const v of niceTicks(0, max, 3).filter((v) => Number.isInteger(v))) {
      s.append(svg("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), class: "grid" }));
      const t = svg("text", { x: L - 6, y: y(v) + 4, class: "axis", "text-anchor": "end" });
      t.textContent = v;
      s.append(t);
    }
    for (let i = 0; i < n; i++) {
      let acc = 0;
      names.forEach((k, j) => {
        const v = (counts[k] || [])[i] || 0;
        if (!v) return;
        s.append(svg("rect", { x: L + i * bw + bw * 0.1, width: Math.max(1, bw * 0.8),
          y: y(acc + v), height: y(acc) - y(acc + v), class: "s" + j }));
        acc += v;
      });
    }
    [0, n / 2, n].forEach((i, j) => {
      const t = svg("text", { x: L + i * bw, y: H - 6, class: "axis", "text-anchor": ["start", "middle", "end"][j] });
      t.textContent = HD.time(start + i * step);
      s.append(t);
    });
    HD.clear(box, s, HD.el("ul.legend", {}, names.map((k, j) =>
      HD.el("li", {}, HD.el("span.swatch.s" + j, { "aria-hidden": "true" }), k))));
  };

  // The full chart: min..max band, average line, labelled axes, and a
  // readout of the point under the pointer (or the last one).
  chart.history = function (box, h, unit) {
    const W = 640, H = 260, L = 48, R = 12, T = 12, B = 28;
    const pts = h.points || [];
    const to = Date.now(), from = to - (h.range === "day" ? 86400e3 : 3600e3);
    const s = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "hchart", role: "img",
      "aria-label": `${pts.length} readings over the last ${h.range}` });
    HD.clear(box, s);
    if (!pts.length) {
      box.append(HD.el("p.empty", { text: "No readings in this range yet." }));
      return;
    }
    let [y0, y1] = extent(pts, "min", "max");
    const pad = (y1 - y0) * 0.1;
    const ticks = niceTicks(y0 - pad, y1 + pad, 4);
    y0 = Math.min(y0 - pad, ticks[0]);
    y1 = Math.max(y1 + pad, ticks[ticks.length - 1]);
    const x = (t) => L + ((t - from) / (to - from)) * (W - L - R);
    const y = (v) => T + (1 - (v - y0) / (y1 - y0)) * (H - T - B);
    for (const v of ticks) {
      s.append(svg("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), class: "grid" }));
      const t = svg("text", { x: L - 6, y: y(v) + 4, class: "axis", "text-anchor": "end" });
      t.textContent = v;
      s.append(t);
    }
    const steps = h.range === "day" ? 6 : 4, span = (to - from) / steps;
    for (let i = 0; i <= steps; i++) {
      const t = svg("text", { x: x(from + i * span), y: H - 8, class: "axis",
        "text-anchor": i === 0 ? "start" : i === steps ? "end" : "middle" });
      t.textContent = HD.time(from + i * span);
      s.append(t);
    }
    // Break the band and the line where minutes are missing (offline).
    const gap = (h.step_s || 60) * 1000 * 3;
    let run = [];
    const flush = () => {
      if (!run.length) return;
      const band = run.map((p) => [x(p.t_ms), y(p.max)])
        .concat(run.slice().reverse().map((p) => [x(p.t_ms), y(p.min)]));
      s.append(svg("path", { d: path(band) + "Z", class: "band" }));
      s.append(svg("path", { d: path(run.map((p) => [x(p.t_ms), y(p.avg)])), class: "line" }));
      run = [];
    };
    pts.forEach((p, i) => {
      if (i && p.t_ms - pts[i - 1].t_ms > gap) flush();
      run.push(p);
    });
    flush();
    const dot = svg("circle", { r: 4, class: "dot" });
    const read = HD.el("p.readout", { "aria-live": "polite" });
    s.append(dot);
    box.append(read);
    const show = (p) => {
      dot.setAttribute("cx", x(p.t_ms));
      dot.setAttribute("cy", y(p.avg));
      read.textContent = `${HD.time(p.t_ms)}: ${HD.fmt(p.avg, unit)} (min ${HD.fmt(p.min, unit)}, max ${HD.fmt(p.max, unit)})`;
    };
    show(pts[pts.length - 1]);
    s.addEventListener("pointermove", (ev) => {
      const r = s.getBoundingClientRect();
      const t = from + (((ev.clientX - r.left) / r.width) * W - L) / (W - L - R) * (to - from);
      let best = pts[0];
      for (const p of pts) if (Math.abs(p.t_ms - t) < Math.abs(best.t_ms - t)) best = p;
      show(best);
    });
  };
})();
