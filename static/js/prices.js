// Manager pages: prices (views/manage_prices.templ). No inline scripts
// (strict CSP): behaviour lives here.
//   /  find (focus the search field)   N  new price card   T  add a ticket type
//   B  back to the prices (a card's page)
// Typing in the search field filters the lists at once (the form also
// filters on the server, without JavaScript).
(function () {
  "use strict";
  if (window.marqueePrices) return;
  window.marqueePrices = true;
  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA");
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) return;
    var k = e.key.toLowerCase();
    if (k === "/") {
      var q = document.getElementById("q");
      if (q) { e.preventDefault(); q.focus(); q.select(); }
      return;
    }
    if (k === "t") {
      var code = document.getElementById("t-new-code");
      if (code) { e.preventDefault(); code.focus(); }
      return;
    }
    var link = document.querySelector('[data-key="' + k + '"]');
    if (link) { e.preventDefault(); link.click(); }
  });
  document.addEventListener("input", function (e) {
    var f = e.target;
    if (!f || !f.hasAttribute || !f.hasAttribute("data-filter")) return;
    var text = f.value.trim().toLowerCase();
    document.querySelectorAll(f.getAttribute("data-filter")).forEach(function (row) {
      row.hidden = text !== "" && row.getAttribute("data-search").indexOf(text) < 0;
    });
  });
})();
