// Manager pages' keyboard shortcuts (views/manage_showtimes.templ). No inline
// scripts (strict CSP): behaviour lives here.
//   N  schedule showtimes · [ / ]  earlier / later day or week · T  today
//   M  move (edit page) · /  search the programme (when not typing in a field)
// A select marked data-autosubmit submits its form when changed.
(function () {
  "use strict";
  if (window.marqueeManage) return;
  window.marqueeManage = true;
  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA");
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) return;
    if (e.key === "/") {
      var s = document.querySelector("[data-search]");
      if (s) { e.preventDefault(); s.focus(); s.select(); }
      return;
    }
    var k = e.key.length === 1 ? e.key.toLowerCase() : "";
    if (!k) return;
    var link = document.querySelector('[data-key="' + k + '"]');
    if (link) { e.preventDefault(); link.click(); }
  });
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("[data-autosubmit]") && e.target.form) e.target.form.submit();
  });
})();
