/* The address written again in place (dashboard/url_sync.py): when values of the address
   fell back (an unknown scope, one outside the user's, a bad period), the address is
   rewritten without them, with history.replaceState — writing the Location's
   search would push a new entry, and Back would return to the bad address, to be fixed
   and pushed again, never reaching the page before it. */
(function () {
  "use strict";
  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.xieshang_address = {
    replace: function (fix) {
      if (fix && typeof fix.search === "string" && fix.search !== window.location.search) {
        var here = window.location;
        window.history.replaceState(window.history.state, "", here.pathname + fix.search + here.hash);
      }
      return window.dash_clientside.no_update;
    },
  };
})();
