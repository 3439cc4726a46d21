// Scanning with a camera where there is no scanner. A button marked data-camera-open shows the
// camera in the #camera dialog; zxing-wasm reads a QR code or a product barcode from the picture
// and hands it to window.kioskScan (scanner.js), then the camera stops and the dialog closes.
// The reader and its WebAssembly come from static/vendor/ and are fetched only on first use: an
// offline kiosk needs nothing from the internet.
(function () {
  "use strict";

  var TIMEOUT_MS = 60000;   // the camera stops when nothing was read for this long
  var INTERVAL_MS = 100;    // between two looks at the picture
  var MAX_WIDTH = 1280;     // larger frames are scaled down before reading
  var READER_OPTIONS = { formats: ["QRCode", "EAN13", "EAN8"], tryHarder: true, maxNumberOfSymbols: 1 };

  var dialog = document.getElementById("camera");
  if (!dialog) return;
  var video = dialog.querySelector("video");
  var status = dialog.querySelector("[data-camera-status]");
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null;
  var timer = null;
  var session = 0;     // a new number each time the camera opens or closes: late answers are ignored
  var reader = null;   // promise of the ZXingWASM global, loaded once

  function say(name, problem) {
    status.textContent = dialog.getAttribute("data-message-" + name) || "";
    status.classList.toggle("error", !!problem);
  }

  function loadReader() {
    if (reader) return reader;
    reader = new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = dialog.getAttribute("data-reader-src");
      script.onerror = reject;
      script.onload = function () {
        var wasm = dialog.getAttribute("data-wasm-src");
        // The reader would fetch its .wasm from a CDN by default; ours is served with the page.
        window.ZXingWASM.prepareZXingModule({
          overrides: {
            locateFile: function (path, prefix) { return path.slice(-5) === ".wasm" ? wasm : prefix + path; }
          },
          fireImmediately: true
        }).then(function () { resolve(window.ZXingWASM); }, reject);
      };
      document.head.appendChild(script);
    });
    reader.catch(function () { reader = null; });
    return reader;
  }

  function stopCamera() {
    session += 1;
    clearTimeout(timer);
    timer = null;
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.srcObject = null;
    dialog.classList.remove("live");
  }

  function close() {
    stopCamera();
    if (dialog.open) dialog.close();
  }

  function problem(error) {
    var name = error && error.name;
    if (name === "NotFoundError" || name === "OverconstrainedError" || name === "DevicesNotFoundError") return "no-camera";
    if (name === "NotAllowedError" || name === "PermissionDeniedError" || name === "SecurityError") return "denied";
    return "failed";
  }

  function look(current, zxing, deadline) {
    if (current !== session) return;
    if (Date.now() > deadline) {
      stopCamera();
      say("timeout", true);
      return;
    }
    var width = video.videoWidth;
    var height = video.videoHeight;
    if (!width || video.readyState < 2) {
      timer = setTimeout(look, INTERVAL_MS, current, zxing, deadline);
      return;
    }
    var scale = Math.min(1, MAX_WIDTH / width);
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    zxing.readBarcodes(context.getImageData(0, 0, canvas.width, canvas.height), READER_OPTIONS).then(function (results) {
      if (current !== session) return;
      var found = results.filter(function (result) { return result.isValid && result.text; })[0];
      if (!found) {
        timer = setTimeout(look, INTERVAL_MS, current, zxing, deadline);
        return;
      }
      close();
      window.kioskScan(found.text);
    }, function () {
      if (current !== session) return;
      stopCamera();
      say("failed", true);
    });
  }

  function open() {
    stopCamera();
    var current = session;
    if (!dialog.open) dialog.showModal();
    say("starting");
    if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say("insecure", true);
      return;
    }
    var wanted = { audio: false, video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } } };
    navigator.mediaDevices.getUserMedia(wanted).then(function (camera) {
      if (current !== session) {  // closed while the camera was starting
        camera.getTracks().forEach(function (track) { track.stop(); });
        return;
      }
      stream = camera;
      video.srcObject = camera;
      video.play().catch(function () {});
      dialog.classList.add("live");
      say("hint");
      return loadReader().then(function (zxing) {
        look(current, zxing, Date.now() + TIMEOUT_MS);
      }, function () {
        if (current !== session) return;
        stopCamera();
        say("failed", true);
      });
    }, function (error) {
      if (current !== session) return;
      stopCamera();
      say(problem(error), true);
    });
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-camera-open]")) open();
    else if (event.target.closest("[data-camera-close]")) close();
  });
  dialog.addEventListener("close", stopCamera);  // Esc, or the dialog closed any other way
  // A scan from anywhere else (the scanner, a serial scanner) makes the camera unnecessary.
  document.addEventListener("kiosk:scan", function () { if (dialog.open) close(); });
  // Leaving the page stops the camera too.
  window.addEventListener("pagehide", stopCamera);
})();
