/* The editor's small helpers (progressive enhancement: every form works without this file).
 * - live score preview: the scoring table posts its unsaved values to /score-preview and
 *   shows the computed scores, flags, totals and grades it returns (nothing is saved);
 * - "+ 添加一行" clones the last spare row of a table with fresh indices;
 * - Ctrl+S submits the form being edited; confirm before deleting; warn before leaving
 *   a form with unsaved changes. */
(function () {
  "use strict";

  function debounce(fn, ms) {
    var t;
    return function () { clearTimeout(t); t = setTimeout(fn, ms); };
  }

  function setText(root, selector, value) {
    root.querySelectorAll(selector).forEach(function (el) { el.textContent = value; });
  }

  // ---- live score preview
  var form = document.getElementById("scores-form");
  if (form && window.fetch && window.FormData) {
    var url = form.getAttribute("data-preview");
    var seq = 0;
    var preview = debounce(function () {
      var mine = ++seq;
      form.classList.add("preview-busy");
      fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin",
                   headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data || mine !== seq) return;
          Object.keys(data.leaves).forEach(function (id) {
            var row = form.querySelector('tr.leaf[data-id="' + id + '"]');
            if (!row) return;
            var leaf = data.leaves[id];
            row.querySelector("[data-computed]").textContent = leaf.computed !== null ? leaf.computed
              : (leaf.status === "needs_judgement" ? "需人工判断" : "—");
            row.classList.toggle("flagged", leaf.flagged);
            var explain = row.querySelector("[data-explain]");
            explain.innerHTML = "";
            if (leaf.flagged) {
              var flag = document.createElement("span");
              flag.className = "flag"; flag.textContent = "⚑ 与填报不一致 ";
              explain.appendChild(flag);
            }
            var text = document.createElement("span");
            text.className = "muted small"; text.textContent = leaf.explanation;
            explain.appendChild(text);
            var probs = document.createElement("div");
            leaf.problems.forEach(function (p) {
              var d = document.createElement("div");
              d.className = "warn-text small"; d.textContent = p; probs.appendChild(d);
            });
            explain.appendChild(probs);
          });
          Object.keys(data.nodes).forEach(function (id) {
            var node = data.nodes[id];
            var row = form.querySelector('tr.node[data-id="' + id + '"]');
            if (row) {
              setText(row, '[data-node="entered"]', node.entered);
              setText(row, '[data-node="computed"]', node.computed);
            }
            setText(form, '[data-level="' + id + '-entered"]', node.entered);
            setText(form, '[data-level="' + id + '-computed"]', node.computed);
          });
          setText(document, '[data-total="entered"]', data.entered_total);
          setText(document, '[data-total="computed"]', data.computed_total);
          setText(document, '[data-grade="entered"]', data.entered_grade);
          setText(document, '[data-grade="computed"]', data.computed_grade);
          setText(document, '[data-count="flagged"]', data.flagged);
          setText(document, '[data-count="problems"]', data.problems);
          // The honest total: "系统计算 84，另有 3 项需人工判断" and the open leaves' reasons.
          setText(document, "[data-summary-text]", data.computed_summary);
          document.querySelectorAll("[data-open-list]").forEach(function (list) {
            list.innerHTML = "";
            (data.open || []).forEach(function (item) {
              var li = document.createElement("li");
              var b = document.createElement("b");
              b.textContent = item.code + " " + item.name;
              li.appendChild(b);
              li.appendChild(document.createTextNode("：" + item.reason));
              list.appendChild(li);
            });
          });
          document.querySelectorAll("[data-summary]").forEach(function (box) {
            box.classList.toggle("flash-warning", data.open_count > 0);
            box.classList.toggle("flash-info", !data.open_count);
          });
        })
        .catch(function () { /* the saved values stay on screen; saving still works */ })
        .then(function () { if (mine === seq) form.classList.remove("preview-busy"); });
    }, 350);
    form.addEventListener("input", preview);
    form.addEventListener("change", preview);
  }

  // ---- add a row: clone the last row, bump its index, clear its values
  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    button.addEventListener("click", function () {
      var table = document.getElementById(button.getAttribute("data-add-row"));
      var body = table.tBodies[0];
      var last = body.rows[body.rows.length - 1];
      var next = Math.max.apply(null, Array.prototype.map.call(body.rows, function (r) {
        return parseInt(r.getAttribute("data-row") || "0", 10);
      })) + 1;
      var row = last.cloneNode(true);
      row.setAttribute("data-row", next);
      row.querySelectorAll("input, select, textarea").forEach(function (el) {
        el.name = el.name.replace(/-\d+-/, "-" + next + "-");
        el.id = el.id.replace(/-\d+-/, "-" + next + "-");
        el.classList.remove("invalid");
        if (el.type === "checkbox") { el.checked = false; }
        else if (el.tagName === "SELECT") { el.selectedIndex = el.name.match(/-role$/) ? el.selectedIndex : 0; }
        else { el.value = ""; }
      });
      row.querySelectorAll(".error").forEach(function (el) { el.remove(); });
      body.appendChild(row);
      var first = row.querySelector("input, select, textarea");
      if (first) first.focus();
    });
  });

  // ---- confirmations, Ctrl+S, unsaved-changes warning
  // (form[data-confirm] is handled site-wide by confirm.js)
  var dirty = null;
  document.querySelectorAll("form.editor-form").forEach(function (f) {
    f.addEventListener("input", function () { dirty = f; });
    f.addEventListener("submit", function () { dirty = null; });
  });
  window.addEventListener("beforeunload", function (e) {
    if (dirty) { e.preventDefault(); e.returnValue = ""; }
  });
  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && (e.key === "s" || e.key === "S")) {
      var active = document.activeElement && document.activeElement.form;
      var target = active || dirty || document.querySelector("form.editor-form");
      if (target) { e.preventDefault(); dirty = null; target.requestSubmit ? target.requestSubmit() : target.submit(); }
    }
  });
})();
