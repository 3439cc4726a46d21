// The settings tabs keep no change a person has not chosen to lose. Each form marked
// data-section saves only its own fields, so before the page is left with another form's changes
// unsaved — a tab, a link, another form's 保存, a reload — the person is asked first: an in-page
// dialog (#unsaved-changes) for what happens on the page, the browser's own question for a reload
// or a closed window. A form served with data-unsaved (refused input shown again) counts as
// changed until it is saved. An htmx form (hx-post) stays on the page, so saving it loses nothing.
// The idle sign-out (kiosk.js, event kiosk:idle-signout) is never held up.
(function () {
  "use strict";
  var root = document.querySelector("[data-unsaved-guard]");
  var dialog = document.getElementById("unsaved-changes");
  if (!root || !dialog) return;

  var baseline = new WeakMap();
  var leaving = false; // a navigation the person chose (or the idle sign-out): let it go
  var submitting = null; // the form being saved by a full page load
  var pending = null; // what to do when the person chooses to discard the changes

  function forms() {
    return Array.prototype.slice.call(document.querySelectorAll("form[data-section]"));
  }

  function state(form) {
    var pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token") pairs.push(name + "=" + value);
    });
    return pairs.join("&");
  }

  function remember(scope) {
    var found = scope.matches && scope.matches("form[data-section]") ? [scope] : [];
    if (scope.querySelectorAll) found = found.concat(Array.prototype.slice.call(scope.querySelectorAll("form[data-section]")));
    found.forEach(function (form) {
      baseline.set(form, state(form));
      mark(form);
    });
  }

  function changed(form) {
    if (!form.isConnected) return false;
    if (form.hasAttribute("data-unsaved")) return true;
    return baseline.has(form) && baseline.get(form) !== state(form);
  }

  function dirty(except) {
    return forms().filter(function (form) { return form !== except && changed(form); });
  }

  // A changed form says so beside its 保存.
  function mark(form) {
    var on = changed(form);
    form.classList.toggle("is-changed", on);
    var actions = form.querySelector(".actions");
    if (!actions) return;
    var note = actions.querySelector(".unsaved-note");
    if (on && !note) {
      note = document.createElement("span");
      note.className = "unsaved-note";
      note.setAttribute("data-testid", "unsaved-note");
      note.textContent = root.getAttribute("data-unsaved-note");
      actions.appendChild(note);
    } else if (!on && note) {
      note.remove();
    }
  }

  function ask(forms, then) {
    var list = dialog.querySelector("[data-unsaved-list]");
    list.textContent = "";
    forms.forEach(function (form) {
      var item = document.createElement("li");
      item.textContent = form.getAttribute("data-section");
      list.appendChild(item);
    });
    pending = then;
    dialog.showModal();
    dialog.querySelector("[data-unsaved-stay]").focus();
  }

  dialog.querySelector("[data-unsaved-stay]").addEventListener("click", function () {
    pending = null;
    dialog.close();
    var first = dirty(null)[0];
    if (first) {
      first.scrollIntoView({ block: "center" });
      var save = first.querySelector("button[type=submit], button:not([type])");
      if (save) save.focus();
    }
  });
  dialog.querySelector("[data-unsaved-leave]").addEventListener("click", function () {
    var then = pending;
    pending = null;
    dialog.close();
    if (then) then();
  });
  dialog.addEventListener("close", function () { pending = null; });

  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form[data-section]");
    if (form) mark(form);
  });
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-section]");
    if (form) mark(form);
  });

  // Links: the other tabs, the administration screens, the header.
  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || link.target === "_blank" || link.hasAttribute("download")) return;
    var href = link.getAttribute("href");
    if (!href || href.charAt(0) === "#") return;
    var unsaved = dirty(null);
    if (!unsaved.length) return;
    event.preventDefault();
    ask(unsaved, function () {
      leaving = true;
      window.location.href = link.href;
    });
  }, true);

  // A form that loads another page (another section's 保存, the language, sign-out) while
  // other forms hold changes. Runs before htmx and the other submit handlers.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || leaving || form.hasAttribute("hx-post") || form.getAttribute("target") === "_blank") return;
    var unsaved = dirty(form);
    if (!unsaved.length) {
      submitting = form;
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    var submitter = event.submitter || null;
    ask(unsaved, function () {
      leaving = true;
      if (submitter && submitter.form === form) form.requestSubmit(submitter);
      else form.requestSubmit();
    });
  }, true);

  // A reload, the browser's back, a closed window.
  window.addEventListener("beforeunload", function (event) {
    if (leaving) return;
    if (!dirty(submitting).length) return;
    event.preventDefault();
    event.returnValue = "";
  });
  document.addEventListener("kiosk:idle-signout", function () { leaving = true; });

  // htmx swaps in a section (the points expiry widget): its fresh form is its own baseline.
  document.addEventListener("htmx:load", function (event) { remember(event.target || document); });
  // Touching a field of a choice selects it (the printer connection).
  document.addEventListener("focusin", function (event) {
    var choice = event.target.closest && event.target.closest("[data-choice]");
    if (!choice || event.target.matches("input[type=radio]")) return;
    var radio = choice.querySelector("input[type=radio]");
    if (radio && !radio.checked) {
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });

  remember(document);
})();
