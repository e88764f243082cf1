// Charts of the video and compare pages, drawn with the vendored uPlot.
"use strict";
(function () {
  const palette = ["#4c6ef5", "#e8590c", "#2f9e44", "#ae3ec9", "#1098ad", "#f08c00", "#c92a2a", "#5c940d"];

  function width(el) { return Math.max(320, el.clientWidth || 900); }

  // A time axis around a single point spans a day either side, not uPlot's default of years.
  function timeRange(u, min, max) {
    return min === max ? [min - 86400, max + 86400] : [min, max];
  }

  function markers(changes) {
    // YouTube's methodology changes: dashed vertical lines, so a step is not read as growth.
    return {
      hooks: {
        draw: [(u) => {
          const ctx = u.ctx;
          ctx.save();
          ctx.strokeStyle = "#c92a2a";
          ctx.setLineDash([6, 4]);
          for (const change of changes) {
            const x = u.valToPos(Date.parse(change.at) / 1000, "x", true);
            if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
          }
          ctx.restore();
        }],
      },
    };
  }

  async function videoChart(el) {
    const answer = await fetch(el.dataset.samples, { credentials: "same-origin" });
    const rows = await answer.json();
    const note = document.getElementById("chart-note");
    if (!answer.ok) { note.textContent = rows.error || answer.statusText; return; }
    if (!rows.length) { note.textContent = "No samples yet: the video has not been visited."; return; }
    const t = rows.map((r) => Date.parse(r.timestamp) / 1000);
    const data = [t, rows.map((r) => r.views), rows.map((r) => r.likes), rows.map((r) => r.comments)];
    const changes = JSON.parse(el.dataset.changes || "[]");
    let log = false;
    const shown = { likes: false, comments: false };
    let plot = null;
    function draw() {
      if (plot) plot.destroy();
      const distr = log ? 3 : 1;
      plot = new uPlot({
        width: width(el), height: 380,
        plugins: [markers(changes)],
        scales: { x: { time: true, range: timeRange }, y: { distr }, n: { distr } },
        series: [
          {},
          { label: "views", stroke: palette[0], width: 2, scale: "y" },
          { label: "likes", stroke: palette[1], scale: "n", show: shown.likes },
          { label: "comments", stroke: palette[2], scale: "n", show: shown.comments },
        ],
        axes: [{}, { scale: "y", size: 70 }, { scale: "n", side: 1, grid: { show: false }, size: 60 }],
      }, data, el);
    }
    draw();
    const shownChanges = changes.filter((c) => {
      const at = Date.parse(c.at) / 1000;
      return at >= t[0] && at <= t[t.length - 1];
    });
    note.textContent = rows.length + " samples, " + new Date(t[0] * 1000).toISOString().slice(0, 16) +
      " to " + new Date(t[t.length - 1] * 1000).toISOString().slice(0, 16) + " UTC" +
      (shownChanges.length ? "; dashed red lines: YouTube changed how it counts views" : "");
    el.dataset.drawn = String(rows.length);
    document.querySelectorAll("input[data-series]").forEach((box) => {
      box.addEventListener("change", () => { shown[box.dataset.series] = box.checked; draw(); });
    });
    document.getElementById("log-scale").addEventListener("change", (e) => { log = e.target.checked; draw(); });
  }

  async function compareChart(el) {
    const videos = JSON.parse(el.dataset.videos || "[]");
    if (!videos.length) return;
    const series = await Promise.all(videos.map(async (v) => {
      const answer = await fetch(v.samples, { credentials: "same-origin" });
      const rows = answer.ok ? await answer.json() : [];
      const born = Date.parse(v.published_at) / 1000;
      return rows.map((r) => [(Date.parse(r.timestamp) / 1000 - born) / 3600, r.views]);
    }));
    // One x axis (hours since publication) for all: the union of ages, gaps elsewhere.
    const ages = Array.from(new Set(series.flatMap((s) => s.map((p) => p[0])))).sort((a, b) => a - b);
    const index = new Map(ages.map((a, i) => [a, i]));
    const data = [ages];
    for (const s of series) {
      const ys = new Array(ages.length).fill(null);
      for (const [age, views] of s) ys[index.get(age)] = views;
      data.push(ys);
    }
    let log = false;
    let plot = null;
    function draw() {
      if (plot) plot.destroy();
      plot = new uPlot({
        width: width(el), height: 420,
        scales: { x: { time: false }, y: { distr: log ? 3 : 1 } },
        series: [{ label: "hours since publication" }].concat(videos.map((v, i) => ({
          label: v.label, stroke: palette[i % palette.length], width: 2, spanGaps: true,
        }))),
        axes: [{ label: "hours since publication" }, { size: 70 }],
      }, data, el);
    }
    draw();
    el.dataset.drawn = String(ages.length);
    document.getElementById("log-scale").addEventListener("change", (e) => { log = e.target.checked; draw(); });
  }

  function channelChart(el) {
    const trend = JSON.parse(el.dataset.trend || "[]");
    if (!trend.length) return;
    const data = [
      trend.map((p) => Date.parse(p.t) / 1000),
      trend.map((p) => p.subscribers),
      trend.map((p) => p.views),
    ];
    new uPlot({
      width: width(el), height: 320,
      scales: { x: { time: true, range: timeRange } },
      series: [{}, { label: "subscribers", stroke: palette[0], width: 2, scale: "s" },
               { label: "views", stroke: palette[1], width: 2, scale: "v" }],
      axes: [{}, { scale: "s", size: 70 }, { scale: "v", side: 1, grid: { show: false }, size: 80 }],
    }, data, el);
    el.dataset.drawn = String(trend.length);
  }

  function lifecycleChart(el) {
    const points = JSON.parse(el.dataset.points || "[]");
    if (!points.length) return;
    new uPlot({
      width: width(el), height: 260,
      scales: { x: { time: false }, y: { range: [0, 1] } },
      series: [{ label: "age (h)" }, { label: "share of 30-day views", stroke: palette[0], width: 2 }],
      axes: [{ label: "hours since publication" }, { size: 50 }],
    }, [points.map((p) => p.age_hours), points.map((p) => p.median_share_of_30d_views)], el);
    el.dataset.drawn = String(points.length);
  }

  const video = document.getElementById("chart");
  if (video) videoChart(video);
  const compare = document.getElementById("compare-chart");
  if (compare) compareChart(compare);
  const channel = document.getElementById("channel-chart");
  if (channel) channelChart(channel);
  const lifecycle = document.getElementById("lifecycle-chart");
  if (lifecycle) lifecycleChart(lifecycle);
})();
