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
  // On a phone, Escape folds the open menu again and gives the focus back to "Menu"
  // (the disclosure pattern of the WAI-ARIA practices).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !menu || !menu.open) return;
    var summary = menu.querySelector("summary");
    if (!summary || summary.offsetParent === null) return; // wide screen: the menu does not fold
    menu.open = false;
    summary.focus();
  });

  // A table wider than its box scrolls inside it (.table-wrap); such a box is made
  // focusable so that the keyboard can scroll it too (WCAG 2.1.1), named by its caption.
  function reachScrollingTables() {
    var boxes = document.querySelectorAll(".table-wrap");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) {
          var caption = box.querySelector("caption");
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", (caption && caption.textContent.trim()) || "Table, scrolls sideways");
        }
      } else if (box.getAttribute("role") === "region" && box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    }
  }
  reachScrollingTables();
  window.addEventListener("resize", reachScrollingTables);
  document.addEventListener("htmx:afterSettle", reachScrollingTables);
})();
