/* The findings panel (一致性审查), templates/evaluations/_findings.html.
 * - In the editor, the panel follows the form: its unsaved values are posted to
 *   /review-preview (nothing is saved) and the list is redrawn from the JSON.
 * - A finding that points at an indicator scrolls to its row and highlights it. */
(function () {
  "use strict";
  var panel = document.getElementById("findings");
  if (!panel) return;

  function highlight(code) {
    var row = document.querySelector('tr[data-code="' + code + '"]');
    if (!row) return false;
    row.scrollIntoView({ block: "center" });
    row.classList.add("finding-target");
    setTimeout(function () { row.classList.remove("finding-target"); }, 2500);
    return true;
  }

  panel.addEventListener("click", function (e) {
    var link = e.target.closest("a[data-finding-target]");
    if (!link) return;
    var code = link.getAttribute("data-finding-target");
    var sameDoc = link.pathname === window.location.pathname;
    if (code && sameDoc && highlight(code)) e.preventDefault();
  });

  function render(data) {
    ["error", "warning", "info"].forEach(function (sev) {
      var el = panel.querySelector('[data-count-severity="' + sev + '"]');
      if (el) el.textContent = data.counts[sev];
    });
    var list = panel.querySelector("[data-findings-list]");
    list.innerHTML = "";
    data.findings.forEach(function (f) {
      var li = document.createElement("li");
      li.className = "finding sev-" + f.severity;
      li.setAttribute("data-code", f.code);
      var sev = document.createElement("span");
      sev.className = "sev sev-" + f.severity; sev.textContent = f.severity_label;
      var a = document.createElement("a");
      a.href = f.href; a.textContent = f.where_label;
      a.setAttribute("data-finding-target", f.where.part === "indicators" ? f.where.path : "");
      var msg = document.createElement("span");
      msg.className = "finding-message"; msg.textContent = f.message;
      li.appendChild(sev); li.appendChild(document.createTextNode(" "));
      li.appendChild(a); li.appendChild(document.createTextNode(" "));
      li.appendChild(msg);
      list.appendChild(li);
    });
    var none = panel.querySelector("[data-findings-none]");
    if (none) none.hidden = data.findings.length > 0;
  }

  var url = panel.getAttribute("data-review-preview");
  var form = document.querySelector("form.editor-form");
  if (!url || !form || !window.fetch || !window.FormData) return;
  var timer = null, seq = 0;
  function refresh() {
    var mine = ++seq;
    fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin",
                 headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data && mine === seq) render(data); })
      .catch(function () { /* the saved findings stay on screen */ });
  }
  function later() { clearTimeout(timer); timer = setTimeout(refresh, 600); }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
