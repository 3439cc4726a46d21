// A serial scanner is read by the server on this kiosk box; this screen collects its scans
// every half second and handles each exactly like a scan typed by a keyboard-wedge scanner
// (window.kioskScan). Loaded only when KIOSK_SCANNER names a serial scanner.
(function () {
  "use strict";
  var url = document.body && document.body.getAttribute("data-scanner-feed");
  if (!url) return;
  var last = null;
  var busy = false;

  function poll() {
    if (busy) return;
    busy = true;
    fetch(url + (last === null ? "" : "?after=" + last), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        // The first answer only says where the feed is: scans from before this page loaded
        // belong to nobody.
        if (last !== null && window.kioskScan) data.codes.forEach(function (code) { window.kioskScan(code); });
        last = data.last;
        var warning = document.getElementById("scanner-error");
        if (warning) { warning.textContent = data.error ? warning.getAttribute("data-message") : ""; warning.hidden = !data.error; }
      })
      .catch(function () {})
      .then(function () { busy = false; });
  }
  poll();
  setInterval(poll, 500);
})();
