/* The grids' column widths (dashboard/grid.py): each column as wide as its header and
   cells. When that is wider than the grid (ui.md: nothing needs horizontal scrolling at
   1366×768), the columns are narrowed to fit it: a column no narrower than its cells, its
   header wrapping; a column of long texts (wrapText) down to MIN_WRAPPED, its text
   wrapping. A grid whose cells alone are wider still scrolls, rather than cut a value.
   AG Grid's own sizing either fits the grid or fits the contents, not the one unless the
   other overflows. Called on the grids' rowDataUpdated and gridSizeChanged events,
   through dash-ag-grid's function namespace, once the rows are drawn. */
(function () {
  "use strict";
  var MIN_WRAPPED = 120; // px: a long text's column narrowed to fit

  function total(columns) {
    return columns.reduce(function (sum, column) {
      return sum + column.getActualWidth();
    }, 0);
  }

  var functions = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});

  function fit(api, again) {
    if (api.isDestroyed()) {
      return;
    }
    api.autoSizeAllColumns(false); // headers and cells
    var columns = api.getAllDisplayedColumns();
    var shown = api.getHorizontalPixelRange();
    if (total(columns) <= shown.right - shown.left + 1) {
      return;
    }
    api.autoSizeAllColumns(true); // cells alone: the least a column needs, its header wrapping
    var limits = columns.map(function (column) {
      var wraps = column.getColDef().wrapText;
      return { key: column.getColId(), minWidth: wraps ? MIN_WRAPPED : column.getActualWidth() };
    });
    api.sizeColumnsToFit({ columnLimits: limits });
    if (again) {
      // the first fit can be measured before the grid has its last width (its vertical
      // scrollbar drawn): once more, on the next turn
      window.setTimeout(fit, 0, api, false);
    }
  }

  functions.xsFitColumns = function (params) {
    // once the rows are drawn: autosizing measures the rendered cells
    window.setTimeout(fit, 0, params.api, true);
  };
})();
