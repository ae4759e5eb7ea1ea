/* The browser tab's title in the page's language. Dash Pages sets each page's title as
   it was registered, in Chinese (dashboard/pages/*.py); on an English page (lang=en in
   the address) it is replaced by its English one, from the shell's #xs-titles
   (dashboard/shell.py english_titles), whenever Dash sets it again. */
(function () {
  "use strict";

  function english() {
    return new URLSearchParams(window.location.search).get("lang") === "en";
  }

  function translate() {
    var source = document.getElementById("xs-titles");
    if (!source || !english()) {
      return;
    }
    var titles = {};
    try {
      titles = JSON.parse(source.getAttribute("data-titles"));
    } catch (unreadable) {
      return;
    }
    var shown = titles[document.title];
    if (shown && shown !== document.title) {
      document.title = shown;
    }
  }

  function watch() {
    var title = document.querySelector("title");
    if (title) {
      new MutationObserver(translate).observe(title, { childList: true, characterData: true, subtree: true });
    }
    // the shell's titles come with the layout, after the first title was set
    new MutationObserver(function (changes, observer) {
      if (document.getElementById("xs-titles")) {
        observer.disconnect();
        translate();
      }
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watch);
  } else {
    watch();
  }
})();
