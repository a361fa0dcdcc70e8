/* The evaluation page's confirmation dialogs: a button with data-dialog-open="<id>" opens the
 * <dialog> of that id as a modal; a button with data-dialog-close inside it closes it. No
 * inline handlers (the CSP allows scripts from this site only). */
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var opener = e.target.closest && e.target.closest("[data-dialog-open]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-dialog-open"));
      if (dialog && typeof dialog.showModal === "function") {
        if (dialog.open) dialog.close();
        dialog.showModal();
        var first = dialog.querySelector("textarea, select, input:not([type=hidden])");
        if (first) first.focus();
      }
      return;
    }
    var closer = e.target.closest && e.target.closest("[data-dialog-close]");
    if (closer) {
      var open = closer.closest("dialog");
      if (open) open.close();
    }
  });
})();
