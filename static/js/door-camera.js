// The door's camera: scan ticket QR codes with the device camera. The
// browser's BarcodeDetector where it has one (Chrome on Android, macOS,
// ChromeOS), else the vendored jsQR decoder (static/js/jsQR.js; Linux and
// Windows desktops). A decoded code goes into the scan field and is sent
// like a typed one; while the answer is on screen nothing is sent, and the
// same code is not sent twice within a few seconds. Needs a secure context
// (HTTPS or localhost). No inline script (strict CSP).
(function () {
  "use strict";
  if (window.marqueeDoorCamera) return;
  window.marqueeDoorCamera = true;
  var stream = null, timer = null, detector = null, canvas = null, last = "", lastAt = 0, busy = false;

  function el(sel) { return document.querySelector(sel); }
  function status(msg) { var s = el("[data-camera-status]"); if (s) s.textContent = msg; }

  function send(code) {
    var now = Date.now();
    if (!code || el("[data-answer]") || (code === last && now - lastAt < 4000)) return;
    last = code; lastAt = now;
    var field = document.getElementById("ticket");
    var form = field && field.form;
    if (!form) return;
    field.value = code;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  function tick() {
    var video = el("[data-camera-view] video");
    if (!stream || !video || busy || video.readyState < 2 || !video.videoWidth) return;
    if (detector) {
      busy = true;
      detector.detect(video).then(function (codes) {
        busy = false;
        if (codes && codes.length) send(codes[0].rawValue);
      }, function () { busy = false; });
      return;
    }
    if (!window.jsQR) { status("The QR decoder didn't load: type or scan the code instead."); return; }
    var w = video.videoWidth, h = video.videoHeight;
    var scale = Math.min(1, 800 / Math.max(w, h));
    w = Math.round(w * scale); h = Math.round(h * scale);
    canvas = canvas || document.createElement("canvas");
    canvas.width = w; canvas.height = h;
    var ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(video, 0, 0, w, h);
    var img = ctx.getImageData(0, 0, w, h);
    var code = window.jsQR(img.data, w, h, { inversionAttempts: "dontInvert" });
    if (code && code.data) send(code.data);
  }

  function stop() {
    if (timer) { clearInterval(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    var view = el("[data-camera-view]");
    if (view) view.classList.add("hidden");
    var b = el("[data-camera]");
    if (b) b.setAttribute("aria-pressed", "false");
  }

  function start() {
    var view = el("[data-camera-view]"), video = view && view.querySelector("video");
    if (!video) return;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      view.classList.remove("hidden");
      status("No camera here (the camera needs HTTPS): type or scan the code instead.");
      return;
    }
    var pick = Promise.resolve(null);
    if ("BarcodeDetector" in window && window.BarcodeDetector.getSupportedFormats) {
      pick = window.BarcodeDetector.getSupportedFormats().then(function (f) {
        return f.indexOf("qr_code") >= 0 ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
      }, function () { return null; });
    }
    pick.then(function (d) {
      detector = d;
      view.setAttribute("data-decoder", d ? "barcode-detector" : "jsqr");
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.play();
      view.classList.remove("hidden");
      var b = el("[data-camera]");
      if (b) b.setAttribute("aria-pressed", "true");
      status("Camera on: hold the ticket's QR code in view." + (detector ? "" : " (built-in decoder)"));
      timer = setInterval(tick, 150);
    }, function (err) {
      view.classList.remove("hidden");
      status("The camera couldn't start (" + (err && err.name ? err.name : "refused") + "): type or scan the code instead.");
    });
  }

  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("[data-camera]");
    if (!b) return;
    e.preventDefault();
    if (stream) stop(); else start();
  });
  window.addEventListener("pagehide", stop);
})();
