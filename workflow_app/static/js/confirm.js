/* Site-wide: a form with data-confirm="…" asks before it is submitted (the CSP forbids inline
 * onsubmit handlers, so templates say what to ask in a data attribute). */
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) e.preventDefault();
  }, true);
})();
