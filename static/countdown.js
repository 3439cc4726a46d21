// Seconds left on a screen that closes by itself ([data-countdown]) and notices that hide
// after a while ([data-hide-after], 已取消 · 撤销). Without this script the page stays correct:
// the figure stays as served and the notice stays until the next action.
(function () {
  "use strict";

  function start(root) {
    root.querySelectorAll("[data-countdown]:not([data-counting])").forEach(function (el) {
      var left = parseInt(el.getAttribute("data-countdown"), 10);
      if (!(left > 0)) return;
      el.setAttribute("data-counting", "");
      var timer = setInterval(function () {
        if (!el.isConnected) { clearInterval(timer); return; }
        left = Math.max(0, left - 1);
        el.textContent = String(left);
        if (left === 0) clearInterval(timer);
      }, 1000);
    });
    root.querySelectorAll("[data-hide-after]:not([data-counting])").forEach(function (el) {
      var seconds = parseInt(el.getAttribute("data-hide-after"), 10);
      if (!(seconds > 0)) return;
      el.setAttribute("data-counting", "");
      setTimeout(function () { el.hidden = true; }, seconds * 1000);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { start(document); });
  document.addEventListener("htmx:load", function (event) { start(event.target || document); });
})();
