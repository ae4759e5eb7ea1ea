/* When the session has ended (signed out elsewhere, idle too long, user disabled) the
   server answers the dashboard's own requests 401 (xieshang.dashboard.auth): go to the
   sign-in page, which brings the user back to this view afterwards. With sign-in off no
   request is ever answered 401. */
(function () {
  "use strict";
  var original = window.fetch;
  window.fetch = function () {
    return original.apply(this, arguments).then(function (response) {
      var path = new URL(response.url, window.location.href).pathname;
      if (response.status === 401 && path.indexOf("/_dash-") === 0) {
        var here = window.location.pathname + window.location.search;
        window.location.assign("/login?next=" + encodeURIComponent(here));
        // the page is leaving: the renderer gets no answer to report as an error
        return new Promise(function () {});
      }
      return response;
    });
  };
})();
