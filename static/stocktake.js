// The stock-take screen: a scanned product's line (data-jump) scrolls into view with its keypad.
(function () {
  "use strict";
  function jump() {
    var line = document.querySelector("[data-jump]");
    if (!line) return;
    line.removeAttribute("data-jump");
    line.scrollIntoView({ block: "center", behavior: "instant" });
  }
  document.addEventListener("htmx:afterSettle", jump);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", jump);
  else jump();
})();
