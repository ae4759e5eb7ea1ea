/* Printing (assets/print.css lays the page out on A4).

   Just before the browser lays the page out for paper ("beforeprint", whichever way the
   print was asked for: Ctrl+P, the menu, Chrome's Page.printToPDF), every chart wider
   than the paper is redrawn PRINT_WIDTH wide (a chart as wide as a 1,920 px screen would
   be cut at the page's edge; redrawn, its text keeps its size), and each grid gets a
   plain <table> after it, which print.css prints in the grid's place: its columns and
   every row in their shown order (sort and filter kept), each cell's text as the grid
   formats it. A table's <thead> is printed again at the top of each page it runs over;
   AG Grid's own header, a <div>, is printed on the first page only (its print layout
   has no option to repeat it, and Chromium repeats the header group of a <table> only,
   not of divs styled as one). The grid also draws only the rows near its scroll box;
   the table holds them all. Just after ("afterprint"), both go back. */
(function () {
  "use strict";
  var PRINT_WIDTH = 640; // px: A4 less 12 mm margins (186 mm ≈ 703 px) less the card's
  var redrawn = [];
  var tables = [];

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

  function cell(tag, text, className) {
    var element = document.createElement(tag);
    element.textContent = text == null ? "" : String(text);
    if (className) {
      element.className = className;
    }
    return element;
  }

  function cellClass(column, data) {
    // as the grid shows it: numbers to the right, a state column's colour (`data`: a row's)
    var def = column.getColDef();
    var classes = def.type === "rightAligned" ? ["num"] : [];
    var state = data && data[def.field + "__state"]; // grid.STATE_SUFFIX
    if (state) {
      classes.push("xs-state-" + state);
    }
    return classes.join(" ");
  }

  function printTable(api) {
    var columns = api.getAllDisplayedColumns();
    var table = document.createElement("table");
    table.className = "table table-sm data-table xs-print-table"; // as a chart's 数据 table
    var head = table.createTHead().insertRow();
    columns.forEach(function (column) {
      var name = api.getDisplayNameForColumn(column, "header");
      head.appendChild(cell("th", name, cellClass(column)));
    });
    var body = table.createTBody();
    api.forEachNodeAfterFilterAndSort(function (node) {
      var row = body.insertRow();
      columns.forEach(function (column) {
        var text = api.getCellValue({ rowNode: node, colKey: column, useFormatter: true });
        row.appendChild(cell("td", text, cellClass(column, node.data)));
      });
    });
    return table;
  }

  window.addEventListener("beforeprint", function () {
    document.querySelectorAll(".xs-main .js-plotly-plot").forEach(function (graph) {
      if (window.Plotly && graph.offsetWidth > PRINT_WIDTH) {
        redrawn.push(graph);
        window.Plotly.relayout(graph, { width: PRINT_WIDTH });
      }
    });
    grids().forEach(function (grid) {
      // a grid without columns (a list not for this user) has nothing to print
      if (grid.api.getAllDisplayedColumns().length) {
        var table = printTable(grid.api);
        grid.element.after(table);
        tables.push(table);
      }
    });
  });

  window.addEventListener("afterprint", function () {
    redrawn.splice(0).forEach(function (graph) {
      window.Plotly.relayout(graph, { width: null, autosize: true });
    });
    tables.splice(0).forEach(function (table) {
      table.remove();
    });
  });
})();
