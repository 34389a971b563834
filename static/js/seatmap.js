// Seat map behaviour for the showtime and order pages (no inline scripts: strict CSP).
//  - arrow keys move between seats (roving tabindex), Home/End to the row's ends;
//  - the hold timer counts down and says when the hold ran out;
//  - Server-Sent Events refresh the map when seats change anywhere;
//  - focus stays on the seat you clicked when htmx swaps it;
//  - on a phone the map opens fitted to the screen's width and centred on the
//    screen end; + / − / Fit and pinching zoom it (seats >= 24 px zoomed in);
//  - the summary bar's Continue takes the focus to the checkout form.
(function () {
  "use strict";

  // ---- keyboard navigation -------------------------------------------------
  function seats(root) {
    return Array.prototype.slice.call(root.querySelectorAll("button.seat"));
  }
  function setRoving(root, current) {
    var all = seats(root);
    if (!all.length) return;
    if (!current || all.indexOf(current) < 0) {
      current = root.querySelector('button.seat[data-state="selected"]') ||
        root.querySelector('button.seat[data-state="available"]') || all[0];
    }
    all.forEach(function (b) { b.tabIndex = b === current ? 0 : -1; });
  }
  function nearest(root, from, dx, dy) {
    var x = +from.dataset.x, y = +from.dataset.y, best = null, bestScore = Infinity;
    seats(root).forEach(function (b) {
      var bx = +b.dataset.x, by = +b.dataset.y;
      if (dy === 0 && (by !== y || (bx - x) * dx <= 0)) return;
      if (dx === 0 && (by - y) * dy <= 0) return;
      var score = dy === 0 ? Math.abs(bx - x) : Math.abs(by - y) * 1000 + Math.abs(bx - x);
      if (score < bestScore) { bestScore = score; best = b; }
    });
    return best;
  }
  function onKey(evt) {
    var b = evt.target;
    if (!b.classList || !b.classList.contains("seat")) return;
    var root = b.closest("[data-seatmap]");
    var next = null;
    switch (evt.key) {
      case "ArrowLeft": next = nearest(root, b, -1, 0); break;
      case "ArrowRight": next = nearest(root, b, 1, 0); break;
      case "ArrowUp": next = nearest(root, b, 0, -1); break;
      case "ArrowDown": next = nearest(root, b, 0, 1); break;
      case "Home": case "End":
        var row = seats(root).filter(function (s) { return s.dataset.y === b.dataset.y; });
        next = evt.key === "Home" ? row[0] : row[row.length - 1];
        break;
      default: return;
    }
    evt.preventDefault();
    if (next) { setRoving(root, next); next.focus(); }
  }

  // ---- hold countdown -------------------------------------------------------
  var timers = [];
  function startCountdowns() {
    timers.forEach(clearInterval);
    timers = [];
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      // The deadline is fixed when the element first appears (server time left,
      // not the client's clock); later swaps elsewhere must not reset it.
      if (!el.dataset.deadline) el.dataset.deadline = String(Date.now() + (+el.dataset.remaining) * 1000);
      var deadline = +el.dataset.deadline;
      var box = el.closest("section, article, div");
      function tick() {
        var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
        var m = Math.floor(left / 60), s = left % 60;
        if (left >= 3600) { // a pay-later hold: "9 h 43 min" (views.Countdown)
          var mm = Math.floor((left % 3600) / 60);
          el.textContent = Math.floor(left / 3600) + " h " + (mm < 10 ? "0" : "") + mm + " min";
        } else {
          el.textContent = m + ":" + (s < 10 ? "0" : "") + s;
        }
        if (left === 0) {
          clearInterval(t);
          var msg = (box && box.parentNode ? box.parentNode : document).querySelector("[data-expired-message]");
          if (msg) msg.classList.remove("hidden");
          if (window.htmx) window.htmx.trigger(document.body, "seats-changed");
        }
      }
      var t = setInterval(tick, 1000);
      timers.push(t);
      tick();
    });
  }

  // ---- live updates ---------------------------------------------------------
  var source = null;
  function listen() {
    var booking = document.getElementById("booking");
    if (!booking || !window.EventSource || source) return;
    source = new EventSource(booking.dataset.events);
    source.addEventListener("seats", function () {
      if (window.htmx) window.htmx.trigger(document.body, "seats-changed");
    });
  }

  // ---- focus kept across swaps ----------------------------------------------
  var focusedId = null;
  document.addEventListener("focusin", function (evt) {
    if (evt.target.classList && evt.target.classList.contains("seat")) focusedId = evt.target.id;
  });
  function restoreFocus() {
    var map = document.querySelector("[data-seatmap]");
    if (!map) return;
    var active = document.activeElement;
    var el = focusedId && document.getElementById(focusedId);
    if (el && (!active || active === document.body || !document.body.contains(active))) {
      el.focus();
    }
    setRoving(map, el && document.activeElement === el ? el : null);
  }

  // ---- zoom: fit, buttons, pinch -------------------------------------------
  var DEFAULT_SEAT = 28, MIN_SEAT = 8, ZOOMED_SEAT = 24, MAX_SEAT = 48;
  function zoomer(viewport, canvas, controls) {
    // The stylesheet has already fitted the map (--seat from the viewport's
    // width and the map's columns): start from the size it drew.
    var first = canvas.querySelector(".seat");
    var seat = first ? first.getBoundingClientRect().width || DEFAULT_SEAT : DEFAULT_SEAT, fitted = true;
    function set(px, keepCentre) {
      px = Math.max(fit(), Math.min(MAX_SEAT, px));
      var cx = keepCentre ? (viewport.scrollLeft + viewport.clientWidth / 2) / Math.max(1, canvas.offsetWidth) : 0.5;
      apply(px);
      viewport.scrollLeft = Math.max(0, cx * canvas.offsetWidth - viewport.clientWidth / 2);
      canvas.dataset.seat = String(Math.round(px));
      buttons();
    }
    // fit is the seat size at which the whole map is as wide as its box (at
    // most the default size); the canvas width is nearly proportional to it.
    // (seat is the size applied now).
    function fit() {
      var w = canvas.offsetWidth, box = viewport.clientWidth;
      if (!w || !box) return MIN_SEAT;
      var px = Math.floor(seat * box / w * 100) / 100;
      return Math.max(MIN_SEAT, Math.min(DEFAULT_SEAT, px));
    }
    function apply(px) {
      seat = px;
      canvas.style.setProperty("--seat", px.toFixed(2) + "px");
    }
    // Everything in a row scales with --seat (labels and gaps are calc()s of
    // it), so one measurement gives the fitting size: one layout, not two.
    function toFit() {
      fitted = true;
      var px = fit();
      if (Math.abs(px - seat) < 0.5 && !canvas.style.getPropertyValue("--seat")) {
        buttons(); // the stylesheet's fit stands: no restyle of every seat
        return;
      }
      set(px, false);
    }
    function buttons() {
      if (!controls) return;
      var f = fit();
      controls.querySelector('[data-zoom="out"]').disabled = seat <= f + 0.01;
      controls.querySelector('[data-zoom="fit"]').disabled = seat <= f + 0.01;
      controls.querySelector('[data-zoom="in"]').disabled = seat >= MAX_SEAT - 0.01;
    }
    if (controls) {
      controls.classList.remove("invisible"); // its space was kept: nothing moves
      controls.addEventListener("click", function (evt) {
        var b = evt.target.closest("[data-zoom]");
        if (!b) return;
        var z = b.dataset.zoom;
        if (z === "fit") { toFit(); return; }
        fitted = false;
        if (z === "in") set(Math.max(ZOOMED_SEAT, seat * 1.5), true);
        else set(seat / 1.5 < ZOOMED_SEAT && seat > ZOOMED_SEAT ? ZOOMED_SEAT : seat / 1.5, true);
      });
    }
    // Pinch with two fingers; one finger still scrolls (touch-action: pan-x pan-y).
    var pointers = {}, start = null;
    function dist() {
      var p = Object.keys(pointers).map(function (k) { return pointers[k]; });
      return p.length < 2 ? 0 : Math.hypot(p[0].x - p[1].x, p[0].y - p[1].y);
    }
    viewport.addEventListener("pointerdown", function (e) {
      if (e.pointerType !== "touch") return;
      pointers[e.pointerId] = { x: e.clientX, y: e.clientY };
      if (Object.keys(pointers).length === 2) start = { d: dist(), seat: seat };
    });
    viewport.addEventListener("pointermove", function (e) {
      if (!pointers[e.pointerId]) return;
      pointers[e.pointerId] = { x: e.clientX, y: e.clientY };
      if (start && start.d > 0) {
        fitted = false;
        set(start.seat * dist() / start.d, true);
      }
    });
    function up(e) {
      delete pointers[e.pointerId];
      if (Object.keys(pointers).length < 2) start = null;
    }
    viewport.addEventListener("pointerup", up);
    viewport.addEventListener("pointercancel", up);
    window.addEventListener("resize", function () { if (fitted) toFit(); else buttons(); });
    toFit();
    // A seat reached by keyboard is scrolled into view inside the box.
    viewport.addEventListener("focusin", function (e) {
      if (e.target.classList && e.target.classList.contains("seat")) e.target.scrollIntoView({ block: "nearest", inline: "nearest" });
    });
  }

  // ---- summary bar: Continue focuses the checkout form -----------------------
  document.addEventListener("click", function (evt) {
    var a = evt.target.closest && evt.target.closest("[data-focus-checkout]");
    if (!a) return;
    var email = document.getElementById("checkout-email");
    if (!email) return;
    evt.preventDefault();
    document.getElementById("checkout").scrollIntoView({ block: "center" });
    email.focus({ preventScroll: true });
  });

  function init() {
    var map = document.querySelector("[data-seatmap]");
    if (map) {
      setRoving(map, null);
      map.addEventListener("keydown", onKey);
    }
    var viewport = document.getElementById("seat-viewport"), canvas = document.getElementById("seat-canvas");
    // The stylesheet has fitted the map already; the zoom controls can wait
    // until the page has been drawn (its layout is then done and cheap to read).
    if (viewport && canvas) {
      requestAnimationFrame(function () {
        setTimeout(function () { zoomer(viewport, canvas, document.querySelector("[data-zoom-controls]")); }, 0);
      });
    }
    startCountdowns();
    listen();
  }
  document.addEventListener("htmx:afterSettle", function () {
    restoreFocus();
    startCountdowns();
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
