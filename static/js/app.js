// Marquee's own script. No inline scripts anywhere (strict CSP): behaviour lives here.
(function () {
  "use strict";
  // Show server messages for failed htmx requests: 4xx/5xx responses carry a
  // small alert partial; swap it into the element named by hx-target-error, or
  // the request's own target.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var xhr = evt.detail.xhr;
    if (xhr.status >= 400) {
      var elt = evt.detail.requestConfig && evt.detail.requestConfig.elt;
      var errTarget = elt && elt.closest("[hx-target-error]");
      if (errTarget) {
        var sel = errTarget.getAttribute("hx-target-error");
        var t = document.querySelector(sel);
        if (t) {
          evt.detail.target = t;
          evt.detail.swapOverride = "innerHTML";
        }
      }
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });
})();
