// Seat map behaviour for the showtime and order pages (no inline scripts: strict CSP).
//  - arrow keys move between seats (roving tabindex), Home/End to the row's ends;
//  - the hold timer counts down and says when the hold ran out;
//  - Server-Sent Events refresh the map when seats change anywhere;
//  - focus stays on the seat you clicked when htmx swaps it.
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
        el.textContent = m + ":" + (s < 10 ? "0" : "") + s;
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

  function init() {
    var map = document.querySelector("[data-seatmap]");
    if (map) {
      setRoving(map, null);
      map.addEventListener("keydown", onKey);
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
