/* 数据报送 (/submit): the page's two clientside callbacks (dashboard/pages/submit.py), a
   file of the server's own so that the Content-Security-Policy needs no inline script. */
(function () {
  "use strict";
  var XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.xieshang_submit = {
    /* "正在导入 N 个文件…" while the upload's callback runs */
    progress: function (names, words) {
      var n = (names || []).length;
      return n ? words.replace("{n}", n) : window.dash_clientside.no_update;
    },
    /* the clicked button's marked-up workbook, from the page's store, to the download */
    marked: function (clicks, stored) {
      var ctx = window.dash_clientside.callback_context;
      var hit = ctx.triggered.length ? ctx.triggered[0] : null;
      if (!hit || !hit.value || !stored) {
        return window.dash_clientside.no_update;
      }
      var index = JSON.parse(hit.prop_id.slice(0, hit.prop_id.lastIndexOf("."))).index;
      var item = stored[index];
      if (!item) {
        return window.dash_clientside.no_update;
      }
      return { content: item.content, filename: item.filename, base64: true, type: XLSX };
    },
  };
})();
