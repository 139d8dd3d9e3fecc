// Cheat sheet: let htmx swap in form answers sent with 422 (a row that did not validate comes
// back with its message and the user's input), as it does for 200. No inline script: CSP.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
