/* A chart card's "download as PNG" (plotly's mode bar, trimmed to that one button by
   dashboard/charts/theme.py) carries what the chart is of: the image gets a title band —
   the card's title, and under it the view's title line (scope, period, as of, filters:
   components.print_title, kept current by chart_cards) — and is named
   "<scope>-<chart title>-<period>.png", e.g. 清河县-党员参与率排名-2025-01-01至2025-06-30.png.

   The click is taken in the capture phase, before plotly's own handler on the button,
   and the image drawn with plotly's public Plotly.downloadImage from a copy of the
   chart's figure: the chart on screen is left as it is. Everything runs in the browser;
   nothing is fetched. window.xieshangChartPng.options(graph) gives the title, subtitle
   and file name (the browser tests read them). */
(function () {
  "use strict";
  var BAND = 58; // px above the chart for the title and the line under it

  function clean(text) {
    // a file name: no path separators or characters Windows refuses
    return text.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, " ").replace(/\s+/g, " ").trim();
  }

  function escapeHtml(text) {
    // plotly reads some HTML in titles; area names are text
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function options(graph) {
    var card = graph.closest(".chart-card");
    var heading = card && card.querySelector(".chart-title");
    var line = document.querySelector("#print-title .xs-print-line");
    var title = heading ? heading.textContent.trim() : "";
    var scope = line ? line.getAttribute("data-scope") || "" : "";
    var range = line ? line.getAttribute("data-range") || "" : "";
    var stem = [scope, title, range].filter(Boolean).join("-");
    return {
      title: title,
      subtitle: line ? line.textContent.trim() : "",
      filename: clean(stem) || "chart",
    };
  }

  function copy(value) {
    return typeof structuredClone === "function"
      ? structuredClone(value)
      : JSON.parse(JSON.stringify(value));
  }

  function download(graph) {
    var o = options(graph);
    var layout = copy(graph.layout || {});
    var width = graph.offsetWidth;
    var height = graph.offsetHeight + BAND;
    var margin = Object.assign({ t: 8 }, layout.margin);
    margin.t += BAND;
    layout.margin = margin;
    layout.width = width;
    layout.height = height;
    layout.autosize = false;
    layout.title = {
      text: "<b>" + escapeHtml(o.title) + "</b>",
      font: { size: 15, color: "#212529" },
      subtitle: { text: escapeHtml(o.subtitle), font: { size: 12, color: "#495057" } },
      x: 0,
      xref: "container",
      xanchor: "left",
      y: 1,
      yref: "container",
      yanchor: "top",
      pad: { t: 12, l: 12 },
    };
    // the chart's own locale (zh-CN or en: month names on a date axis)
    var config = { locale: (graph._context || {}).locale || "zh-CN" };
    var figure = { data: copy(graph.data || []), layout: layout, config: config };
    return window.Plotly.downloadImage(figure, {
      format: "png",
      filename: o.filename,
      width: width,
      height: height,
      scale: 2,
    });
  }

  document.addEventListener(
    "click",
    function (event) {
      var button = event.target.closest && event.target.closest(".chart-card .modebar-btn");
      var graph = button && button.closest(".js-plotly-plot");
      if (!graph || !window.Plotly) {
        return;
      }
      event.stopPropagation();
      event.preventDefault();
      download(graph);
    },
    true
  );

  window.xieshangChartPng = { options: options };
})();
