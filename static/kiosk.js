// Small behaviours of the kiosk screens; everything still works as plain forms without it.
(function () {
  "use strict";

  // The scan input keeps focus, ready for a code typed by hand (scanner.js hears a scanner
  // wherever focus is): focus returns to it after any tap and after every htmx swap.
  function scanInput() { return document.querySelector("[data-scan-input]"); }
  function refocus() {
    var input = scanInput();
    var active = document.activeElement;
    if (!input) return;
    if (active && active !== input && (active.matches("input:not([type=hidden]):not([readonly]), textarea, select"))) return;
    input.focus({ preventScroll: true });
  }
  document.addEventListener("click", function () { setTimeout(refocus, 0); });
  // Not after a background refresh (the printer badge, a receipt's status): those come at any
  // moment, also in the middle of a scanner's burst of keys.
  document.addEventListener("htmx:afterSettle", function (event) {
    var config = event.detail && event.detail.requestConfig;
    var clicked = config && config.triggeringEvent && config.triggeringEvent.type === "click";
    if (config && String(config.verb).toLowerCase() === "get" && !clicked) return;
    refocus();
  });
  document.addEventListener("DOMContentLoaded", refocus);

  // Scans themselves (the scanner, the scan field's Enter, window.kioskScan) are scanner.js's.

  // A request that got no usable answer (server down, network gone, a 5xx) is said out loud;
  // the screen is not swapped, so what the cashier sees is still what the server has.
  // It never says that nothing changed: the request may have gone through before the answer
  // was lost. A checkout that got no answer is looked up by its key ("查看结果"): the server
  // shows the sale, or says plainly that none was made.
  function connectionError(show, form) {
    var banner = document.getElementById("connection-error");
    if (!banner) return;
    banner.textContent = document.body.getAttribute("data-offline-message");
    banner.hidden = !show;
    if (show && form) {
      banner.textContent = form.getAttribute("data-unanswered-message");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn big primary";
      button.setAttribute("data-testid", "check-outcome");
      button.textContent = form.getAttribute("data-outcome-label");
      var url = form.getAttribute("data-outcome-url") + "?key=" + encodeURIComponent(form.querySelector("[name=key]").value);
      var ask = function () { htmx.ajax("GET", url, { target: "#workspace", swap: "outerHTML" }); };
      button.addEventListener("click", ask);
      banner.appendChild(document.createTextNode(" "));
      banner.appendChild(button);
      setTimeout(ask, 2000);  // asks again by itself once; the button is there if that fails too
    }
  }
  function failedForm(event) {
    var elt = event.detail && event.detail.elt;
    return elt && elt.closest ? elt.closest("[data-outcome-url]") : null;
  }
  document.addEventListener("htmx:sendError", function (event) { connectionError(true, failedForm(event)); });
  document.addEventListener("htmx:responseError", function (event) { connectionError(true, failedForm(event)); });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful || (event.detail.xhr && event.detail.xhr.status < 500 && event.detail.xhr.status > 0)) connectionError(false);
  });

  // Category tabs filter the goods grid without a round trip.
  document.addEventListener("click", function (event) {
    var tab = event.target.closest("[data-category-tab]");
    if (!tab) return;
    var wanted = tab.getAttribute("data-category-tab");
    document.querySelectorAll("[data-category-tab]").forEach(function (t) {
      t.classList.toggle("active", t === tab);
      t.setAttribute("aria-pressed", t === tab ? "true" : "false");
    });
    document.querySelectorAll("[data-category]").forEach(function (section) {
      section.hidden = wanted !== "" && section.getAttribute("data-category") !== wanted;
    });
    tab.scrollIntoView({ block: "nearest", inline: "nearest" });
  });

  // The category row scrolls sideways when the categories do not fit: a fade says there is more.
  function tabsCue() {
    document.querySelectorAll("[data-category-tabs]").forEach(function (row) {
      row.classList.toggle("more-right", row.scrollLeft + row.clientWidth < row.scrollWidth - 2);
    });
  }

  // The cart: past what fits it scrolls inside itself; the cue counts the lines out of sight
  // (a tap on it scrolls to them). A swap of the register keeps the cart where it was, then
  // brings the line that just changed into view.
  function cartCue() {
    var cart = document.querySelector("[data-cart]");
    var cue = document.querySelector("[data-cart-cue]");
    if (!cart || !cue) return;
    var box = cart.getBoundingClientRect();
    var below = 0, above = 0;
    cart.querySelectorAll("[data-line]").forEach(function (line) {
      var r = line.getBoundingClientRect();
      if (r.bottom > box.bottom + 1) below++;
      else if (r.top < box.top - 1) above++;
    });
    cart.classList.toggle("more-below", below > 0);
    cue.classList.toggle("up", !below && above > 0);
    cue.hidden = !(below || above);
    if (below) cue.textContent = "↓ " + cue.getAttribute("data-below").replace("%n", below);
    else if (above) cue.textContent = "↑ " + cue.getAttribute("data-above").replace("%n", above);
  }
  function quantities() {
    var found = {};
    document.querySelectorAll("[data-cart] [data-line-id]").forEach(function (line) {
      found[line.getAttribute("data-line-id")] = line.getAttribute("data-quantity");
    });
    return found;
  }
  var before = null;
  document.addEventListener("htmx:beforeSwap", function () {
    var cart = document.querySelector("[data-cart]");
    before = cart ? { top: cart.scrollTop, lines: quantities() } : null;
  });
  document.addEventListener("htmx:afterSwap", function () {
    var cart = document.querySelector("[data-cart]");
    if (cart && before) {
      cart.scrollTop = before.top;
      var changed = null;
      cart.querySelectorAll("[data-line-id]").forEach(function (line) {
        if (!changed && before.lines[line.getAttribute("data-line-id")] !== line.getAttribute("data-quantity")) changed = line;
      });
      if (changed) {
        var box = cart.getBoundingClientRect(), r = changed.getBoundingClientRect();
        if (r.bottom > box.bottom) cart.scrollTop += r.bottom - box.bottom;
        else if (r.top < box.top) cart.scrollTop -= box.top - r.top;
      }
    }
    before = null;
    cartCue();
    tabsCue();
  });
  document.addEventListener("scroll", function (event) {
    if (event.target.matches && event.target.matches("[data-cart]")) cartCue();
    if (event.target.matches && event.target.matches("[data-category-tabs]")) tabsCue();
  }, true);
  document.addEventListener("click", function (event) {
    var cue = event.target.closest("[data-cart-cue]");
    var cart = document.querySelector("[data-cart]");
    if (!cue || !cart) return;
    var step = cart.clientHeight * 0.8;
    cart.scrollBy({ top: cue.classList.contains("up") ? -step : step, behavior: "smooth" });
  });
  window.addEventListener("resize", function () { cartCue(); tabsCue(); });
  document.addEventListener("DOMContentLoaded", function () { cartCue(); tabsCue(); });

  // The header's task menus (<details>): one open at a time, closed by a tap elsewhere or Esc.
  document.addEventListener("toggle", function (event) {
    var group = event.target;
    if (!group.matches || !group.matches("details.nav-group") || !group.open) return;
    document.querySelectorAll("details.nav-group[open]").forEach(function (other) { if (other !== group) other.open = false; });
  }, true);
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.nav-group[open]").forEach(function (group) {
      if (!group.contains(event.target)) group.open = false;
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.nav-group[open]").forEach(function (group) { group.open = false; });
  });

  // The PIN pad writes digits into its field; no keyboard needed.
  document.addEventListener("click", function (event) {
    var pad = event.target.closest("[data-pinpad]");
    if (!pad) return;
    // A pad with two fields (a new PIN typed twice) writes into the one last tapped.
    var tapped = event.target.closest("[data-pin-field]");
    if (tapped) {
      pad.querySelectorAll("[data-pin-field]").forEach(function (f) { f.classList.toggle("active", f === tapped); });
      return;
    }
    var field = pad.querySelector("[data-pin-field].active") || pad.querySelector("[data-pin-field]");
    var key = event.target.closest("button");
    if (!key || !field) return;
    if (key.hasAttribute("data-digit") && field.value.length < 8) field.value += key.getAttribute("data-digit");
    if (key.hasAttribute("data-clear")) field.value = "";
    if (key.hasAttribute("data-back")) field.value = field.value.slice(0, -1);
  });

  // Steppers (− n +) on the returns screen.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-step]");
    if (!button) return;
    var input = button.closest("[data-stepper]").querySelector("input");
    if (input.disabled) return;
    var next = (parseInt(input.value, 10) || 0) + parseInt(button.getAttribute("data-step"), 10);
    var max = parseInt(input.getAttribute("max"), 10);
    input.value = Math.max(0, isNaN(max) ? next : Math.min(max, next));
  });

  // Sign out after the idle period without a tap or a scan.
  var body = document.body;
  var idleSeconds = parseInt(body && body.getAttribute("data-idle-seconds"), 10);
  if (idleSeconds > 0) {
    var timer;
    var restart = function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        document.dispatchEvent(new CustomEvent("kiosk:idle-signout")); // a page that asks before leaving lets this go
        window.location.href = body.getAttribute("data-signout-url");
      }, idleSeconds * 1000);
    };
    ["pointerdown", "keydown", "touchstart", "kiosk:scan"].forEach(function (name) { document.addEventListener(name, restart, true); });
    restart();
  }
})();

// A choice with its own fields (the redemption times): touching a field selects its choice.
(function () {
  "use strict";
  document.addEventListener("input", select, true);
  document.addEventListener("click", select, true);
  function select(event) {
    var option = event.target.closest && event.target.closest("[data-mode-option]");
    if (!option || event.target.matches("input[type=radio][name=mode]")) return;
    if (!event.target.closest("input, button")) return;
    var radio = option.querySelector("input[type=radio][name=mode]");
    if (radio) radio.checked = true;
  }
})();

// Behaviours the templates ask for by attribute, so that no page needs inline script (the
// Content-Security-Policy forbids it): a form with data-confirm asks first; a poll marked
// data-paused-by-dialog waits while a dialog is open.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var ask = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (ask && !window.confirm(ask)) event.preventDefault();
  }, true);
  document.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail && event.detail.elt;
    if (source && source.hasAttribute("data-paused-by-dialog") && document.querySelector("dialog[open]")) {
      event.preventDefault();
    }
  });
})();
