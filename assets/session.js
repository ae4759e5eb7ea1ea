/* The answers to the dashboard's own requests (Dash's callbacks).

   When the session has ended (signed out elsewhere, idle too long, user disabled) the
   server answers them 401 (xieshang.dashboard.auth): go to the sign-in page, which brings
   the user back to this view afterwards. With sign-in off no request is ever answered 401.

   When a callback gets no answer (the server stopped or restarting, the connection gone)
   or a 5xx (a proxy's 502 or 504), Dash leaves the parts it would have updated as they
   were, under filters that no longer describe them, and says nothing: show the shell's
   notice (dashboard/shell.py, in the page's language), which says so and to reload. On a
   page it stays until the reload, since a later answer need not redraw every part left
   behind; the wall screen redraws itself from its timers, so there the next answer hides
   it again. */
(function () {
  "use strict";
  var original = window.fetch;
  var CALLBACK = "/_dash-update-component";

  function pathOf(target) {
    var url = typeof target === "string" ? target : target && target.url;
    return new URL(url || "", window.location.href).pathname;
  }

  function noAnswer(shown) {
    var box = document.getElementById("no-answer-box");
    if (box) {
      box.hidden = !shown;
    }
  }

  window.fetch = function (target) {
    var callback = pathOf(target).indexOf(CALLBACK) === 0;
    return original.apply(this, arguments).then(
      function (response) {
        var path = new URL(response.url, window.location.href).pathname;
        if (response.status === 401 && path.indexOf("/_dash-") === 0) {
          var here = window.location.pathname + window.location.search;
          window.location.assign("/login?next=" + encodeURIComponent(here));
          // the page is leaving: the renderer gets no answer to report as an error
          return new Promise(function () {});
        }
        if (callback && response.status >= 500) {
          noAnswer(true);
        } else if (callback && response.ok && document.querySelector(".xs-screen")) {
          noAnswer(false);
        }
        return response;
      },
      function (error) {
        if (callback) {
          noAnswer(true);
        }
        throw error;
      }
    );
  };
})();
