// Reports keyboard shortcuts and row search (views/reports.templ). No inline
// scripts (strict CSP): behaviour lives here.
//   S / R / T  sales, distributor returns, film hire terms (when not typing)
//   C  CSV · P  printable view (on the printable view: print)
//   [ / ]  week before / after · /  search the rows
(function () {
  "use strict";
  if (window.marqueeReports) return;
  window.marqueeReports = true;
  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA");
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) return;
    if (e.key === "/") {
      var s = document.getElementById("report-search");
      if (s) { e.preventDefault(); s.focus(); }
      return;
    }
    var k = e.key.toLowerCase();
    if (k === "p" && document.querySelector("[data-print]")) { e.preventDefault(); window.print(); return; }
    var link = document.querySelector('[data-key="' + k + '"]');
    if (link) { e.preventDefault(); link.click(); }
  });
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-print]")) window.print();
  });
  // Search: hide the rows of the named table that don't contain the text.
  document.addEventListener("input", function (e) {
    var id = e.target.getAttribute && e.target.getAttribute("data-search");
    if (!id) return;
    var q = e.target.value.trim().toLowerCase();
    var table = document.getElementById(id);
    if (!table) return;
    table.querySelectorAll("tbody [data-row]").forEach(function (row) {
      row.hidden = q !== "" && row.textContent.toLowerCase().indexOf(q) < 0;
    });
  });
})();
