// The stock-take screen (盘点). Without this script every − / + is a form that saves one count.
//
// With it, − and + change a pending number on the line, starting from the line's saved count
// (an uncounted line: the first + gives 1). The line is marked 未保存 and its variance hidden
// until the number is saved, once, by the line's save form ([data-count-save]): after a pause
// without taps (data-pause-ms on .count-lines), or as soon as the person moves on (taps
// elsewhere, opens a keypad, scans, leaves the page), or with its 保存 button. The form sends
// the line's count number as the page showed it (counts): the server refuses a save made from
// an older state of the line, so a save sent twice changes nothing. When saving fails the
// pending number stays, with the server's message or one saying it got no answer; it is saved
// again only when the person taps 保存 or steps on (the other count is shown first).
//
// A line whose keypad opens (a tap on its number, a scan) is scrolled into view inside the list,
// with its keypad and 保存.
(function () {
  "use strict";
  var MAX = 999999;
  var pending = {};  // line element id -> {value, seq, sent, saving, failed, timer, after, figure}
  var saved = {};    // line element id -> true once its pending number was saved (data-count-state)

  function lineOf(id) { return document.getElementById(id); }
  function list() { return document.querySelector(".count-lines"); }
  function pause() {
    var ms = parseInt(list() && list().getAttribute("data-pause-ms"), 10);
    return ms > 0 ? ms : 1500;
  }
  function savedValue(line) {
    var value = line.getAttribute("data-counted");
    return value === "" || value === null ? null : parseInt(value, 10);
  }
  function figure(line) { return line.querySelector(".count-figure"); }

  // Show a line as its state says: the pending number, or the saved state after its save.
  function paint(id) {
    var line = lineOf(id), state = pending[id];
    if (!line) return;
    var note = line.querySelector("[data-count-note]");
    if (!state) {
      line.classList.remove("pending");
      if (saved[id]) line.setAttribute("data-count-state", "saved");
      if (note) note.hidden = true;
      return;
    }
    line.classList.add("pending");
    line.setAttribute("data-count-state", state.saving ? "saving" : state.failed ? "failed" : "pending");
    figure(line).textContent = String(state.value);
    var less = line.querySelector("[data-count-step='-1']");
    if (less) less.disabled = state.value <= 0;
    line.querySelector("[data-count-save] [name=quantity]").value = String(state.value);
    if (note) {
      note.hidden = state.failed !== "unanswered";
      note.textContent = note.hidden ? "" : list().getAttribute("data-unanswered-message");
    }
  }

  // Nothing left to save (stepped back to the saved number): the line as the server drew it.
  function discard(id) {
    var state = pending[id], line = lineOf(id);
    clearTimeout(state.timer);
    delete pending[id];
    if (!line) return;
    figure(line).innerHTML = state.figure;
    var less = line.querySelector("[data-count-step='-1']");
    if (less) less.disabled = !savedValue(line);
    line.removeAttribute("data-count-state");
    paint(id);
    if (state.after) htmx.ajax("GET", state.after, { target: "#" + id, swap: "outerHTML" });
  }

  function wait(id, ms) {
    var state = pending[id];
    clearTimeout(state.timer);
    state.timer = setTimeout(function () { settle(id); }, ms || pause());
  }

  // Save the line's pending number now, unless it is being saved (the answer looks again) or
  // saving it failed (then only 保存 or a new tap saves it).
  function settle(id, retry) {
    var state = pending[id];
    if (!state) return;
    clearTimeout(state.timer);
    if (state.saving || (state.failed && !retry)) return;
    var line = lineOf(id);
    if (!line) { delete pending[id]; return; }
    var before = savedValue(line);
    // An uncounted line stepped back to 0 was not counted: the keypad records a count of 0.
    if (state.value === before || (before === null && state.value === 0)) { discard(id); return; }
    state.failed = null;
    paint(id);
    line.querySelector("[data-count-save]").requestSubmit();
    if (!state.saving) wait(id, 300);  // not sent (the line is busy with another request): again soon
  }

  function saving() {
    return Object.keys(pending).some(function (id) { return pending[id].saving; });
  }

  function settleOthers(id) {
    Object.keys(pending).forEach(function (other) { if (other !== id) settle(other); });
  }

  document.addEventListener("click", function (event) {
    if (!event.target.closest) return;
    var line = event.target.closest(".count-line");
    settleOthers(line ? line.id : null);  // moving on: another line, a tab, a link
    var step = event.target.closest("[data-count-step]");
    if (step && line) {
      event.preventDefault();  // no form post: the number waits on the screen
      if (step.disabled) return;
      var id = line.id, state = pending[id];
      if (!state) {
        state = pending[id] = { value: savedValue(line) || 0, seq: 0, figure: figure(line).innerHTML };
        delete saved[id];
      }
      state.value = Math.max(0, Math.min(MAX, state.value + parseInt(step.getAttribute("data-count-step"), 10)));
      state.seq += 1;
      state.failed = null;
      paint(id);
      if (!state.saving) wait(id);
      return;
    }
    var save = event.target.closest("[data-count-save] button");
    if (save && line && pending[line.id]) {
      event.preventDefault();
      settle(line.id, true);
    }
  }, true);

  document.addEventListener("htmx:beforeRequest", function (event) {
    var config = event.detail.requestConfig || {};
    var elt = config.elt || event.detail.elt;
    var line = elt && elt.closest ? elt.closest(".count-line") : null;
    var scan = elt && elt.closest ? elt.closest("#scan-form") : null;
    if (line || scan) settleOthers(line ? line.id : null);
    if (scan && saving()) {
      // A scan opens its line's keypad: after the saves, so that it shows the line as saved.
      event.preventDefault();
      var code = config.formData && config.formData.get("code");
      var send = function () {
        if (saving()) { setTimeout(send, 100); return; }
        htmx.ajax("POST", config.path, { source: scan, target: "#scan-feedback", swap: "outerHTML", values: { code: code } });
      };
      setTimeout(send, 100);
      return;
    }
    var state = line && pending[line.id];
    if (!state) return;
    if (elt.matches("[data-count-save]")) {
      if (state.saving) { event.preventDefault(); return; }
      state.saving = true;
      state.sent = state.seq;
      clearTimeout(state.timer);
      paint(line.id);
    } else if (String(config.verb).toLowerCase() === "get" && !state.failed) {
      // Its keypad or 关闭 while the number waits: save it first, then do what was asked.
      // (After this request has let go of the line: its requests are one at a time, hx-sync.)
      event.preventDefault();
      state.after = config.path;
      setTimeout(function () { settle(line.id); }, 0);
    } else if (String(config.verb).toLowerCase() !== "get") {
      // A count typed on its keypad replaces the stepped one.
      clearTimeout(state.timer);
      delete pending[line.id];
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var config = event.detail.requestConfig || {};
    var elt = config.elt;
    if (!elt || !elt.matches || !elt.matches("[data-count-save]")) return;
    var line = elt.closest(".count-line");  // the line that was: the answer replaced it
    var id = line && line.id, state = id && pending[id];
    if (!state) return;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    state.saving = false;
    if (status >= 200 && status < 300) {
      if (state.seq === state.sent) {
        delete pending[id];
        saved[id] = true;
        paint(id);
        if (state.after) htmx.ajax("GET", state.after, { target: "#" + id, swap: "outerHTML" });
      } else {
        paint(id);  // tapped on while it was saved: those taps wait in turn
        wait(id);
      }
    } else {
      // Refused (the line comes back with the reason, e.g. counted meanwhile) or no answer.
      state.failed = status >= 400 && status < 500 ? "refused" : "unanswered";
      state.after = null;
      paint(id);
    }
  });

  // A line redrawn for any reason (its keypad opened or closed) keeps its pending number.
  document.addEventListener("htmx:afterSettle", function () {
    Object.keys(pending).forEach(paint);
    reveal();
  });

  // Leaving the page (a link, the idle sign-out): numbers not yet saved are sent as the page goes
  // (one on its way too: if it arrived, this copy of it changes nothing). Not one the server
  // refused: that waits for the person, who saw why.
  window.addEventListener("pagehide", function () {
    Object.keys(pending).forEach(function (id) {
      var state = pending[id], line = lineOf(id);
      if (!line || state.failed === "refused" || !navigator.sendBeacon) return;
      var form = line.querySelector("[data-count-save]");
      form.querySelector("[name=quantity]").value = String(state.value);
      navigator.sendBeacon(form.action, new FormData(form));
    });
  });

  // A line opened with its keypad (data-jump) is brought into view inside the list: the whole
  // line when it fits, else from its top (the number and 保存 are at the top of the keypad).
  function reveal() {
    var line = document.querySelector("[data-jump]");
    if (!line) return;
    line.removeAttribute("data-jump");
    var box = list();
    var fits = !box || line.getBoundingClientRect().height <= box.clientHeight;
    line.scrollIntoView({ block: fits ? "nearest" : "start", behavior: "instant" });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", reveal);
  else reveal();
})();
