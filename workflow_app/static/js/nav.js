/* The navigation on a phone: the menu button opens and closes the top navigation.
 * Without this file the navigation simply stays open (wrapped below the brand). */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var button = document.querySelector("[data-nav-toggle]");
  var panel = document.getElementById("topnav");
  if (!button || !panel) { return; }
  function set(open) {
    root.classList.toggle("nav-open", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  button.addEventListener("click", function () {
    set(!root.classList.contains("nav-open"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && root.classList.contains("nav-open")) {
      set(false);
      button.focus();
    }
  });
})();
