/* The grids' column widths (dashboard/grid.py): each column as wide as its header and
   cells. When that is wider than the grid (ui.md: nothing needs horizontal scrolling at
   1366×768), the columns are narrowed to fit it: a column no narrower than its cells, its
   header wrapping; a column of long texts (wrapText) down to MIN_WRAPPED, its text
   wrapping. A grid whose cells alone are wider still scrolls, rather than cut a value.
   AG Grid's own sizing either fits the grid or fits the contents, not the one unless the
   other overflows. A column's header wraps between its words, never inside one. Called
   on the grids' events (dashboard/grid.py FIT_EVENTS) through dash-ag-grid's function
   namespace, once the rows are drawn. */
(function () {
  "use strict";
  var MIN_WRAPPED = 96; // px: a long text's column narrowed to fit

  function total(columns) {
    return columns.reduce(function (sum, column) {
      return sum + column.getActualWidth();
    }, 0);
  }

  var functions = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});
  var ruler = document.createElement("canvas").getContext("2d");
  var CJK = /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]/;

  // How a grid's headers are drawn: their font, and the room beside a header's text (the
  // cell's padding, the buttons outside its label, the label's icons), alike for every
  // column; from a header drawn now (AG Grid draws only the columns in view).
  function headerStyle(root) {
    var text = root && root.querySelector(".ag-header-cell .ag-header-cell-text");
    if (!text) {
      return null;
    }
    var cell = text.closest(".ag-header-cell");
    var label = text.parentElement;
    var chrome = cell.getBoundingClientRect().width - label.getBoundingClientRect().width;
    Array.prototype.forEach.call(label.children, function (child) {
      if (child !== text) {
        chrome += child.getBoundingClientRect().width;
      }
    });
    var style = getComputedStyle(text);
    return { font: style.fontWeight + " " + style.fontSize + " " + style.fontFamily, chrome: chrome };
  }

  // The width a column's header needs so that it wraps between words, never inside one
  // ("Overdu/e and/open"): its longest word and the room beside it. Chinese breaks
  // between any two characters: a run of it counts as one character.
  function headerWord(style, column) {
    if (!style) {
      return 0;
    }
    ruler.font = style.font;
    var widest = 0;
    String(column.getColDef().headerName || "").split(/\s+/).forEach(function (word) {
      word.split(CJK).forEach(function (part) {
        widest = Math.max(widest, ruler.measureText(part).width);
      });
      if (CJK.test(word)) {
        widest = Math.max(widest, ruler.measureText("\u5b57").width);
      }
    });
    return Math.ceil(widest + style.chrome) + 2;
  }

  function fit(api, again) {
    if (api.isDestroyed()) {
      return;
    }
    var root = document.querySelector('[grid-id="' + api.getGridId() + '"]');
    var host = root && root.closest(".xs-grid");
    if (host) {
      host.dataset.xsFitted = shape(api, root);
    }
    api.autoSizeAllColumns(false); // headers and cells
    var columns = api.getAllDisplayedColumns();
    var shown = api.getHorizontalPixelRange();
    if (total(columns) <= shown.right - shown.left + 1) {
      return;
    }
    var style = headerStyle(root);
    api.autoSizeAllColumns(true); // cells alone: the least a column needs, its header wrapping
    var limits = columns.map(function (column) {
      var cells = column.getActualWidth();
      var least = column.getColDef().wrapText ? Math.min(MIN_WRAPPED, cells) : cells;
      return { key: column.getColId(), minWidth: Math.max(least, headerWord(style, column)) };
    });
    api.sizeColumnsToFit({ columnLimits: limits });
    if (again) {
      // the first fit can be measured before the grid has its last width (its vertical
      // scrollbar drawn): once more, on the next turn
      window.setTimeout(fit, 0, api, false);
    }
  }

  // Fit once the grid is laid out and its rows are drawn (autosizing measures the
  // rendered cells: before, it measures nothing and leaves every column as it was),
  // waiting up to `frames` frames; a grid not shown yet is fitted when it is
  // (gridSizeChanged).
  function drawn(api) {
    var root = document.querySelector('[grid-id="' + api.getGridId() + '"]');
    if (!root || root.offsetWidth === 0) {
      return null;
    }
    var row = root.querySelector(".ag-center-cols-container .ag-row");
    return api.getDisplayedRowCount() > 0 && !row ? null : root;
  }

  function whenDrawn(api, frames) {
    if (api.isDestroyed()) {
      return;
    }
    if (!drawn(api)) {
      if (frames > 0) {
        window.requestAnimationFrame(function () {
          whenDrawn(api, frames - 1);
        });
      }
      return;
    }
    fit(api, true);
  }

  functions.xsFitColumns = function (params) {
    whenDrawn(params.api, 60);
  };

  // What a grid was last fitted to: its width, rows and columns. A grid whose events came
  // before dash-ag-grid listened (rows that arrive with the grid itself) was never
  // fitted, its columns left at AG Grid's 200 px: each grid on the page is looked at
  // every SWEEP_MS and fitted when any of these changed since; and, a few times, when it
  // still overflows or a header breaks inside a word (fitted before its font, its scroll
  // bar or its headers were in, it measured wrong).
  var SWEEP_MS = 400;
  var REFITS = 5;

  function viewport(root) {
    return root.querySelector(".ag-center-cols-viewport");
  }

  function overflows(root) {
    var shown = viewport(root);
    var wanted = root.querySelector(".ag-center-cols-container");
    return !!(shown && wanted && wanted.scrollWidth > shown.clientWidth + 1);
  }

  // A column narrower than its header's longest word: fitted while the header was not
  // drawn yet, or drawn in another style (no header measured: no word counted).
  function headersCut(api, root) {
    var style = headerStyle(root);
    return (
      !!style &&
      api.getAllDisplayedColumns().some(function (column) {
        return column.getActualWidth() + 3 < headerWord(style, column); // its +2, rounded
      })
    );
  }

  function shape(api, root) {
    var shown = viewport(root);
    return [
      shown ? shown.clientWidth : root.offsetWidth,
      api.getDisplayedRowCount(),
      api.getAllDisplayedColumns().map(function (column) {
        return column.getColId();
      }),
    ].join("|");
  }

  function sweep() {
    if (!window.dash_ag_grid) {
      return;
    }
    document.querySelectorAll(".xs-grid").forEach(function (element) {
      var api;
      try {
        api = window.dash_ag_grid.getApi(element.id);
      } catch (notReady) {
        return;
      }
      if (!api || api.isDestroyed()) {
        return;
      }
      var root = drawn(api);
      if (!root) {
        return;
      }
      var now = shape(api, root);
      if (element.dataset.xsFitted !== now) {
        element.dataset.xsRefits = "0";
        fit(api, true);
      } else if (
        (overflows(root) || headersCut(api, root)) &&
        Number(element.dataset.xsRefits || 0) < REFITS
      ) {
        element.dataset.xsRefits = String(Number(element.dataset.xsRefits || 0) + 1);
        fit(api, false);
      }
    });
  }

  window.setInterval(sweep, SWEEP_MS);
})();
