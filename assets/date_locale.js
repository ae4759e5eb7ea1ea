/* The period's date inputs (Dash's DatePickerRange) in the page's language.

   Their calendar names months and weekdays from window.dateFns.locale, choosing by the
   browser's languages and else the first locale there is. Here the page's language
   decides instead: the vendored zh-CN locale (assets/vendor/date-fns-locale-zh-cn.js)
   alone in Chinese, none (date-fns's English) with lang=en — the 中文/EN switch is a
   full page load, so this runs for each language. Dash loads this file before
   assets/vendor/, and renders the inputs only after the page has loaded.

   The calendar's buttons carry fixed English names for screen readers; in Chinese they
   are renamed as the calendar opens. */
(function () {
  "use strict";
  var ZH_LABELS = {
    "Previous month": "上个月",
    "Next month": "下个月",
    "Decrease value": "减一",
    "Increase value": "加一",
    "Close calendar": "关闭日历"
  };

  function rename(root) {
    var buttons = root.querySelectorAll("[aria-label]");
    for (var i = 0; i < buttons.length; i++) {
      var zh = ZH_LABELS[buttons[i].getAttribute("aria-label")];
      if (zh) buttons[i].setAttribute("aria-label", zh);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var fns = window.dateFns || {};
    var zhCN = (fns.locale || {}).zhCN;
    var english = new URLSearchParams(window.location.search).get("lang") === "en";
    window.dateFns = Object.assign({}, fns, { locale: english || !zhCN ? {} : { zhCN: zhCN } });
    if (english) return;
    new MutationObserver(function (changes) {
      for (var i = 0; i < changes.length; i++) {
        for (var j = 0; j < changes[i].addedNodes.length; j++) {
          var node = changes[i].addedNodes[j];
          if (node.nodeType === 1 && node.closest(".dash-datepicker")) rename(node.parentNode);
        }
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
})();
