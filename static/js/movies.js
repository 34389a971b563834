// The manager's movie pages (views/manage_movies.templ). No inline scripts
// (strict CSP): behaviour lives here. When not typing in a field:
//   /  focus the title search      N  new movie      M  all movies
(function () {
  "use strict";
  if (window.marqueeMovies) return;
  window.marqueeMovies = true;
  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA" || t.isContentEditable);
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) return;
    if (e.key === "/") {
      var s = document.querySelector("[data-search]");
      if (s) { e.preventDefault(); s.focus(); s.select(); }
      return;
    }
    var k = e.key.toLowerCase();
    if (k.length !== 1 || !/[a-z]/.test(k)) return;
    var link = document.querySelector('a[data-key="' + k + '"]');
    if (link) { e.preventDefault(); link.click(); }
  });
})();
