// Box office keyboard shortcuts (views/boxoffice.templ). No inline scripts
// (strict CSP): behaviour lives here.
//   1–9  open the sale of the board's row (or the look-up's result) with that number
//   B / D / /  board, door, find an order (when not typing in a field)
//   N    next sale (order page) · P print (order page)
//   U    undo the check-in shown (outside the scan field) · Esc  dismiss the door's answer, back to the scan field
(function () {
  "use strict";
  if (window.marqueeBoxOffice) return;
  window.marqueeBoxOffice = true;
  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA");
  }
  function scanField() { return document.getElementById("ticket"); }
  function dismiss() {
    var a = document.getElementById("door-answer");
    if (a) a.innerHTML = "";
    var f = scanField();
    if (f) { f.value = ""; f.focus(); }
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var answer = document.querySelector("[data-answer]");
    if (answer) {
      if (e.key === "Escape" || (e.key === "Enter" && !typing(e))) { e.preventDefault(); dismiss(); return; }
      // U only outside the scan field: a scanner typing the next code must never undo.
      if ((e.key === "u" || e.key === "U") && !typing(e)) {
        var undo = answer.querySelector("[data-testid=undo]");
        if (undo) { e.preventDefault(); undo.click(); }
        return;
      }
    }
    if (typing(e)) return;
    if (/^[1-9]$/.test(e.key)) {
      var link = document.querySelector('[data-shortcut="' + e.key + '"]');
      if (link) { e.preventDefault(); link.click(); }
      return;
    }
    if (e.key === "p" || e.key === "P") {
      if (document.querySelector("[data-print]")) { e.preventDefault(); window.print(); }
      return;
    }
    var k = e.key.toLowerCase();
    var nav = document.querySelector('[data-key="' + (k === "/" ? "/" : k) + '"]');
    if (nav) { e.preventDefault(); nav.click(); }
  });
  // The counter's seat map: a click adds a free seat to the seats field (or
  // takes it out again); the map is polled, so picks are marked again after
  // every refresh from the field, which stays the truth.
  function picked() {
    var f = document.getElementById("seats");
    return f ? f.value.toUpperCase().split(/[\s,]+/).filter(Boolean) : [];
  }
  function markPicked() {
    var set = picked();
    document.querySelectorAll("[data-pick]").forEach(function (b) {
      var on = set.indexOf(b.getAttribute("data-pick")) >= 0;
      b.classList.toggle("s-selected", on);
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }
  document.addEventListener("click", function (e) {
    var seat = e.target.closest && e.target.closest("[data-pick]");
    if (seat) {
      var f = document.getElementById("seats");
      var label = seat.getAttribute("data-pick");
      var set = picked();
      var i = set.indexOf(label);
      if (i >= 0) set.splice(i, 1); else set.push(label);
      f.value = set.join(" ");
      var q = document.getElementById("quantity");
      if (q && set.length) q.value = "";
      markPicked();
      return;
    }
    var p = e.target.closest && e.target.closest("[data-print]");
    if (p) { window.print(); return; }
    var d = e.target.closest && e.target.closest("[data-dismiss]");
    if (d && scanField()) { e.preventDefault(); dismiss(); }
  });
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("[data-autosubmit]")) e.target.form.submit();
  });
  document.addEventListener("htmx:afterSwap", markPicked);
  document.addEventListener("input", function (e) { if (e.target.id === "seats") markPicked(); });
  // After a scan, clear the field for the next one (a USB scanner types and presses Enter).
  document.addEventListener("htmx:afterRequest", function (e) {
    var f = e.detail.elt && e.detail.elt.closest && e.detail.elt.closest("[data-scan]");
    if (f) { var t = scanField(); if (t) t.value = ""; }
  });
})();
