/* Peerline console: draw the report charts with the plotly.js served by the console itself
   (/console/static/vendor/plotly.min.js, from the plotly wheel). Each chart's data is the
   table beside it, hidden counts as gaps; without the library the tables are the report. */
(function () {
  "use strict";

  function draw() {
    if (!window.Plotly) {
      return;
    }
    document.querySelectorAll("[data-chart]").forEach(function (box) {
      var data = JSON.parse(box.getAttribute("data-chart"));
      var traces = data.series.map(function (s) {
        return { type: "bar", name: s.name, x: data.x, y: s.y, hovertemplate: "%{y}<extra>" + s.name + "</extra>" };
      });
      var layout = {
        barmode: "stack",
        title: { text: data.title, font: { size: 15 } },
        height: 280,
        margin: { t: 40, r: 10, b: 60, l: 40 },
        legend: { orientation: "h", y: -0.3 },
        yaxis: { rangemode: "tozero", tickformat: "d" }
      };
      window.Plotly.newPlot(box, traces, layout, { displayModeBar: false, responsive: true })
        .then(function () { box.classList.add("drawn"); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
