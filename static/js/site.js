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

  // The main menu folds on a phone; on wider screens the stylesheet keeps it open through
  // ::details-content. A browser without that selector gets it opened here instead.
  var menu = document.querySelector("details.site-menu");
  var supported = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  if (menu && !supported && window.matchMedia("(min-width: 50.01rem)").matches) {
    menu.open = true;
  }
})();
