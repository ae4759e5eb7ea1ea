/* 大屏 /screen (dashboard/pages/screen.py): the browser's inner size, for the server to
   draw the charts' type for it (Plotly sizes text in pixels; the page's own text scales
   in CSS). Checked on every poll of the screen; an unchanged size is no update, so
   nothing re-renders. Loaded on every page (Dash loads all of assets/), used by /screen
   only. */
(function () {
  "use strict";
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    screen: {
      size: function (_n, current) {
        var size = [window.innerWidth, window.innerHeight];
        if (current && current[0] === size[0] && current[1] === size[1]) {
          return window.dash_clientside.no_update;
        }
        return size;
      },
    },
  });
})();
