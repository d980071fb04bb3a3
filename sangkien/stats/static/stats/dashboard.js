// The dashboard's chart: cumulative valid initiatives against the quota (and the unit's own
// target), drawn by Chart.js from the JSON the page embeds (#chart-data). Days are plotted
// on a linear axis of days since 1970 so no date adapter is needed; ticks read dd/mm/yyyy.
(function () {
  "use strict";
  var DAY = 86400000;

  function dayNumber(iso) {
    var p = iso.split("-");
    return Date.UTC(+p[0], +p[1] - 1, +p[2]) / DAY;
  }

  function dayText(n) {
    var d = new Date(Math.round(n) * DAY);
    var dd = String(d.getUTCDate()).padStart(2, "0");
    var mm = String(d.getUTCMonth() + 1).padStart(2, "0");
    return dd + "/" + mm + "/" + d.getUTCFullYear();
  }

  function draw() {
    var source = document.getElementById("chart-data");
    var canvas = document.getElementById("progress-chart");
    if (!source || !canvas || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var lang = document.documentElement.lang || "vi";
    var numbers = new Intl.NumberFormat(lang === "vi" ? "vi-VN" : "en-GB");
    var start = data.start ? dayNumber(data.start) : null;
    var end = data.end ? dayNumber(data.end) : null;
    var valid = data.points.map(function (p) { return { x: dayNumber(p[0]), y: p[1] }; });
    var submitted = data.points.map(function (p) { return { x: dayNumber(p[0]), y: p[2] }; });
    var asOf = dayNumber(data.as_of);
    // Carry the last figure to the chosen day, so the curve ends where the figures stand.
    if (valid.length && valid[valid.length - 1].x < asOf) {
      valid.push({ x: asOf, y: valid[valid.length - 1].y });
      submitted.push({ x: asOf, y: submitted[submitted.length - 1].y });
    }
    var left = start !== null ? Math.min(start, valid[0].x) : valid[0].x;
    var right = end !== null ? Math.max(end, asOf) : asOf;
    // Nothing counted before the first day with a change: the curves start from zero.
    if (valid[0].x > left) {
      valid.unshift({ x: left, y: 0 });
      submitted.unshift({ x: left, y: 0 });
    }
    var dots = data.points.length < 40 ? 2 : 0;
    var datasets = [
      { label: data.labels.valid, data: valid, borderColor: "#1b2f52", backgroundColor: "#1b2f52",
        stepped: true, pointRadius: dots, borderWidth: 2 },
      { label: data.labels.submitted, data: submitted, borderColor: "#6b7484", backgroundColor: "#6b7484",
        stepped: true, pointRadius: 0, borderWidth: 1, borderDash: [4, 3] }
    ];
    if (data.quota !== null) {
      datasets.push({ label: data.labels.quota, data: [{ x: left, y: data.quota }, { x: right, y: data.quota }],
        borderColor: "#a4161a", backgroundColor: "#a4161a", pointRadius: 0, borderWidth: 2 });
    }
    if (data.target !== null && data.target !== data.quota) {
      datasets.push({ label: data.labels.target, data: [{ x: left, y: data.target }, { x: right, y: data.target }],
        borderColor: "#b45309", backgroundColor: "#b45309", pointRadius: 0, borderWidth: 1, borderDash: [6, 4] });
    }
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    canvas.chart = new window.Chart(canvas, {
      type: "line",
      data: { datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reduced ? false : { duration: 300 },
        parsing: false,
        interaction: { mode: "nearest", axis: "x", intersect: false },
        scales: {
          x: { type: "linear", min: left, max: right,
               ticks: { maxTicksLimit: 6, callback: function (v) { return dayText(v); } } },
          y: { type: "linear", beginAtZero: true,
               ticks: { precision: 0, callback: function (v) { return numbers.format(v); } } }
        },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 14 } },
          tooltip: { callbacks: {
            title: function (items) { return items.length ? dayText(items[0].parsed.x) : ""; },
            label: function (item) { return item.dataset.label + ": " + numbers.format(item.parsed.y); }
          } }
        }
      }
    });
    canvas.setAttribute("data-drawn", "true");
  }

  function printButton() {
    var button = document.querySelector("[data-print]");
    if (!button) return;
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  }

  // On paper the chart's box has another size: redraw to fit it, and back after printing.
  function resizeChart() {
    var canvas = document.getElementById("progress-chart");
    if (canvas && canvas.chart) canvas.chart.resize();
  }
  window.addEventListener("beforeprint", resizeChart);
  window.addEventListener("afterprint", resizeChart);

  function init() { draw(); printButton(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
