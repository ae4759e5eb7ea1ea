/* Printing (assets/print.css lays the page out on A4).

   Just before the browser lays the page out for paper ("beforeprint", whichever way the
   print was asked for), every chart wider than the paper is redrawn PRINT_WIDTH wide (a
   chart as wide as a 1,920 px screen would be cut at the page's edge; redrawn, its text
   keeps its size), and each grid's rows are put in their shown order (print.css lets
   them flow down the page instead of scrolling in a box), a grid wider than its
   (landscape) page scaled down to fit it. Just after ("afterprint"), both go back.

   A grid draws only the rows near its scrolled box, and AG Grid's print layout, which
   draws them all, takes effect a moment later — too late for a print already under way.
   So Ctrl+P (⌘P) first switches every grid to that layout, waits until they have all
   redrawn, and then prints; afterwards they go back. window.xieshangPrint.prepare()
   does the same without printing and resolves when the grids are ready (the browser
   tests print to PDF after it). */
(function () {
  "use strict";
  var PRINT_WIDTH = 640; // px: A4 less 12 mm margins (186 mm ≈ 703 px) less the card's
  var GRID_WIDTH = 980; // px: landscape A4 (print.css), 273 mm ≈ 1,032 px, less the card's
  var WAIT_MS = 1500; // at most, for the grids to redraw
  var redrawn = [];
  var scaled = [];
  var printLayout = [];

  function grids() {
    var dag = window.dash_ag_grid;
    var out = [];
    if (!dag || typeof dag.getApi !== "function") {
      return out;
    }
    document.querySelectorAll(".xs-main .xs-grid[id]").forEach(function (element) {
      var api = null;
      try {
        api = dag.getApi(element.id);
      } catch (error) {
        api = null; // a grid not drawn yet
      }
      if (api) {
        out.push({ element: element, api: api });
      }
    });
    return out;
  }

  function rowsInOrder(element) {
    // AG Grid appends the rows it draws as they come; on paper they flow in DOM order
    element.querySelectorAll(".ag-center-cols-container").forEach(function (box) {
      var rows = Array.prototype.slice.call(box.querySelectorAll(":scope > .ag-row"));
      rows.sort(function (a, b) {
        return Number(a.getAttribute("row-index")) - Number(b.getAttribute("row-index"));
      });
      rows.forEach(function (row) {
        box.appendChild(row);
      });
    });
  }

  function fit(element) {
    // where the last column ends (the header cells'), or the box's width when the
    // columns scroll inside it
    var end = 0;
    element.querySelectorAll(".ag-header-row-column .ag-header-cell").forEach(function (cell) {
      end = Math.max(end, cell.offsetLeft + cell.offsetWidth);
    });
    var width = Math.min(end || element.offsetWidth, element.offsetWidth);
    if (width > GRID_WIDTH) {
      element.style.zoom = String(GRID_WIDTH / width);
      scaled.push(element);
    }
  }

  function prepare() {
    var all = grids();
    all.forEach(function (grid) {
      grid.api.setGridOption("domLayout", "print");
      printLayout.push(grid.api);
    });
    var started = Date.now();
    return new Promise(function (resolve) {
      (function check() {
        var ready = all.every(function (grid) {
          return grid.element.querySelector(".ag-layout-print") !== null;
        });
        if (ready || Date.now() - started > WAIT_MS) {
          // one more frame: the rows are drawn after the layout's class is set
          window.requestAnimationFrame(function () {
            window.setTimeout(resolve, 50);
          });
        } else {
          window.requestAnimationFrame(check);
        }
      })();
    });
  }

  window.addEventListener("beforeprint", function () {
    document.querySelectorAll(".xs-main .js-plotly-plot").forEach(function (graph) {
      if (window.Plotly && graph.offsetWidth > PRINT_WIDTH) {
        redrawn.push(graph);
        window.Plotly.relayout(graph, { width: PRINT_WIDTH });
      }
    });
    document.querySelectorAll(".xs-main .xs-grid").forEach(function (element) {
      rowsInOrder(element);
      fit(element);
    });
  });

  window.addEventListener("afterprint", function () {
    redrawn.splice(0).forEach(function (graph) {
      window.Plotly.relayout(graph, { width: null, autosize: true });
    });
    scaled.splice(0).forEach(function (element) {
      element.style.zoom = "";
    });
    printLayout.splice(0).forEach(function (api) {
      api.setGridOption("domLayout", "normal");
    });
  });

  document.addEventListener("keydown", function (event) {
    var key = (event.key || "").toLowerCase();
    if (key === "p" && (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey) {
      event.preventDefault();
      prepare().then(function () {
        window.print();
      });
    }
  });

  window.xieshangPrint = { prepare: prepare };
})();
