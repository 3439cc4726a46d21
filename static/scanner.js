// Scans. Every code enters the page through window.kioskScan(code): a USB keyboard-wedge
// scanner, a code typed into the scan field by hand, the camera (camera.js) and a serial scanner.
//
// A keyboard-wedge scanner "types" its code as a burst of keys a few milliseconds apart, ending
// in Enter. onScan.js, listening on the whole document, tells such a burst from a person typing,
// wherever focus is: on the scan field, a button, a search or PIN field, or nowhere. While a
// burst may still be a scan, its keys are held back from the focused text field; a person's keys
// (slower than a scanner) are let through a few tens of milliseconds later, so nothing of a scan
// ever lands in a field and nothing a person types is lost. A Chinese input method swallows the
// keys before the page sees them: the kiosk's input method must stay on English.
//
// A form that asks for a code (a product's barcode) marks its field with data-scan-fill: a scan,
// wherever focus is, fills that field and submits nothing, and Enter in it never sends the form.
(function () {
  "use strict";

  var AVERAGE_MS_PER_KEY = 30;  // a burst faster than this on average (Enter included) is a scanner
  var GAP_MS = 50;              // a pause this long ends a burst: the keys held so far were typed
  var MIN_LENGTH = 6;           // shorter bursts are a person's keys rolling over, not a code
  var CARRY_MS = 250;           // how long a fast burst without its Enter yet may pause
  var QUEUE_WAIT_MS = 8000;     // longest a scan waits for the one before it to be answered
  var TEXT_FIELD = "input:not([type]), input[type=text], input[type=search], input[type=password], " +
    "input[type=tel], input[type=number], input[type=email], input[type=url], textarea";

  var body = document.body;
  var prefix = body.getAttribute("data-scanner-prefix") || "";
  var suffix = body.getAttribute("data-scanner-suffix") || "";

  function scanInput() { return document.querySelector("[data-scan-input]"); }
  function fillField() { return document.querySelector("[data-scan-fill]"); }

  function fill(field, code) {
    field.value = code.trim();
    field.focus({ preventScroll: true });
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // The characters the scanner is set up to add around each code (KIOSK_SCANNER_PREFIX and
  // KIOSK_SCANNER_SUFFIX) are not part of the code.
  function strip(code) {
    if (prefix && code.slice(0, prefix.length) === prefix) code = code.slice(prefix.length);
    if (suffix && code.length >= suffix.length && code.slice(code.length - suffix.length) === suffix) {
      code = code.slice(0, code.length - suffix.length);
    }
    return code;
  }

  // Scans are posted one after another in the order they came, so a fast scanner never loses
  // or merges a code. Returns false when the code is empty or the screen takes no scans.
  var pending = Promise.resolve();
  function kioskScan(code) {
    code = strip(String(code == null ? "" : code));
    var field = fillField();
    if (field && code.trim()) {
      fill(field, code);
      document.dispatchEvent(new CustomEvent("kiosk:scan", { detail: { code: code } }));
      return true;
    }
    var input = scanInput();
    if (!code.trim() || !input || !input.form) return false;
    var form = input.form;
    document.dispatchEvent(new CustomEvent("kiosk:scan", { detail: { code: code } }));
    if (!window.htmx || !form.hasAttribute("hx-post")) {
      input.value = code;
      form.submit();
      return true;
    }
    pending = pending.then(function () {
      var request = htmx.ajax("POST", form.getAttribute("hx-post"), {
        source: form, target: form.getAttribute("hx-target"), swap: "outerHTML", values: { code: code }
      });
      // A request htmx never settles (aborted, its element swapped away) must not hold up
      // every later scan: the next one goes after QUEUE_WAIT_MS at the latest.
      return Promise.race([request, new Promise(function (resolve) { setTimeout(resolve, QUEUE_WAIT_MS); })]);
    }).catch(function () {});
    return true;
  }
  window.kioskScan = kioskScan;

  // A code typed by hand into the scan field and sent with Enter. The field is emptied at once,
  // before the next scan's first key can arrive. An input method still composing (Chinese IME)
  // must not turn its Enter into a scan.
  function sendTyped(input) {
    var code = input.value;
    input.value = "";
    kioskScan(code);
  }
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target && event.target.matches && event.target.matches("[data-scan-fill]")) {
      event.preventDefault();  // a slow scanner's or a person's Enter: the code is in, nothing is sent
      return;
    }
    var input = scanInput();
    if (!input || event.target !== input || event.key !== "Enter" || event.defaultPrevented) return;
    event.preventDefault();
    if (!event.isComposing) sendTyped(input);
  });

  // Keys held back from a text field while they might be a scan, and the fast keys of a burst
  // that paused before its Enter (a busy computer can stall a scanner's keys for a moment).
  var held = "";
  var heldIn = null;
  var carried = "";
  var carryTimer = null;
  var enter = null;  // the Enter key onScan.js is deciding about, if any

  // A burst that began with focus elsewhere stays onScan.js's to finish, even if something
  // moved focus into the scan field meanwhile.
  function burstUnderWay() {
    var data = document.scannerDetectionData;
    return !!(data && data.vars && data.vars.firstCharTime);
  }

  function isTextField(element) {
    return !!element && !!element.matches && element.matches(TEXT_FIELD) && !element.readOnly && !element.disabled;
  }

  function insert(field, text) {
    if (document.activeElement !== field) field.focus({ preventScroll: true });
    // insertText behaves like typing: it keeps maxlength, undo and the input event.
    if (document.execCommand("insertText", false, text)) return;
    try {
      field.setRangeText(text, field.selectionStart, field.selectionEnd, "end");
    } catch (error) {
      field.value += text;
    }
    field.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertText", data: text }));
  }

  function forget() {
    held = "";
    heldIn = null;
    carried = "";
    clearTimeout(carryTimer);
  }

  // The keys were a person's: put them where they were typed.
  function release() {
    var text = held;
    var field = heldIn;
    forget();
    if (text && isTextField(field) && field.isConnected) insert(field, text);
  }

  function carry(code) {
    carried += code;
    clearTimeout(carryTimer);
    carryTimer = setTimeout(release, CARRY_MS);
  }

  function scanned(code) {
    forget();
    kioskScan(code);
  }

  // onScan.js swallows the Enter that ends a burst. When the burst was a person after all, Enter
  // does what it would have done: send the scan field, submit the form, press the button.
  function replayEnter(target) {
    if (target && target.matches && target.matches("[data-scan-fill]")) return;
    if (target === scanInput()) {
      sendTyped(target);
    } else if (isTextField(target) && target.form && target.tagName !== "TEXTAREA") {
      target.form.requestSubmit();
    } else if (target && target.matches && target.matches("button, a[href], [role=button]")) {
      target.click();
    }
  }

  function character(event) {
    if (event.isComposing || event.repeat || event.ctrlKey || event.altKey || event.metaKey) return null;
    if (!event.key || event.key.length !== 1) return null;  // Enter, Shift, arrows, an IME's "Process"
    if (event.key === " " && !isTextField(event.target)) return null;  // Space presses buttons
    return event.key;
  }

  if (!window.onScan) return;
  onScan.attachTo(document, {
    captureEvents: true,         // before the focused element's own listeners
    suffixKeyCodes: [13],        // Enter ends a scan
    avgTimeByChar: AVERAGE_MS_PER_KEY,
    timeBeforeScanTest: GAP_MS,
    minLength: MIN_LENGTH,
    reactToPaste: false,
    keyCodeMapper: character,
    onKeyDetect: function (keyCode, event) {
      if (event.isComposing) return false;
      // In the scan field itself keys simply go in, and its Enter sends the whole field (the
      // keydown listener above): nothing to tell apart there, and a burst the computer stalls
      // half-way (a busy kiosk) still arrives as one code.
      if (event.target === scanInput() && !burstUnderWay()) {
        enter = null;
        return false;
      }
      // Nothing to type into (a button, or nothing, has focus): the key goes to the scan field,
      // which then works as above. Only a text field elsewhere (a search, a PIN) needs telling
      // a scanner from a person.
      var input = scanInput();
      if (input && !burstUnderWay() && !isTextField(event.target) && character(event) !== null && event.key !== " ") {
        input.focus({ preventScroll: true });
        enter = null;
        return false;
      }
      enter = event.key === "Enter" ? event : null;
      // Editing keys act on the field at once, so what was held goes in before them.
      var key = event.key || "";
      if (held && key.length > 1 && !enter && ["Shift", "CapsLock", "Control", "Alt", "Meta"].indexOf(key) < 0) release();
    },
    onKeyProcess: function (key, event) {
      if (!key) return;
      if (carried) carry("");  // the burst goes on: wait again
      if (!isTextField(event.target)) return;
      event.preventDefault();
      if (heldIn && heldIn !== event.target) release();
      held += key;
      heldIn = event.target;
    },
    // Fast enough and long enough.
    onScan: function (code) {
      var ended = enter;
      enter = null;
      if (ended) scanned(carried + code);
      else carry(code);  // no Enter yet: the scanner may have paused
    },
    // Too short, or too slow; too short is still part of a scan when it follows a paused burst.
    onScanError: function (problem) {
      var ended = enter;
      enter = null;
      var fast = problem.scanDuration <= Math.max(1, problem.scanCode.length) * AVERAGE_MS_PER_KEY;
      if (carried && fast) {
        if (ended) scanned(carried + problem.scanCode);
        else carry(problem.scanCode);
        return;
      }
      release();
      if (ended) replayEnter(ended.target);
    }
  });
})();
