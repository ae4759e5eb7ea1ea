/* 数据报送 (/submit): the page's two clientside callbacks (dashboard/pages/submit.py), a
   file of the server's own so that the Content-Security-Policy needs no inline script. */
(function () {
  "use strict";
  var XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.xieshang_submit = {
    /* the chosen files, passed on to the upload's callback when together they fit the
       limit; else, in the answer's place, the one line that says so (the upload emptied,
       so that choosing them again is a change) */
    gate: function (contents, names, gate) {
      var no = window.dash_clientside.no_update;
      if (!contents || !contents.length) {
        return [no, no, no, no, no];
      }
      var bytes = 0;
      contents.forEach(function (url) {
        var data = (url || "").split(",")[1] || "";
        bytes += Math.floor((data.length * 3) / 4) - (data.match(/=+$/) || [""])[0].length;
      });
      if (bytes <= gate.limit) {
        return [{ contents: contents, names: names || [] }, no, no, no, no];
      }
      var alert = {
        type: "Div",
        namespace: "dash_html_components",
        props: { children: gate.words, className: "alert alert-warning small mb-0", id: "sb-too-large" },
      };
      return [no, alert, [], [], null];
    },
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
