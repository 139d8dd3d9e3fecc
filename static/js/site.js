// DMSU desk — small progressive enhancements. Everything works without this file.
(function () {
  "use strict";
  // Confirm dangerous actions marked with data-confirm (no inline handlers: CSP).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  }, true);
})();
