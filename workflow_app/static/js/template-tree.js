// The indicator-template tree editor (/admin/templates/…): add, remove, move and re-level
// rows; show each rule's parameters in words; check the weight sums while typing.
// The server checks everything again on save (workflow_app/admin/template_tree.py).
(function () {
  "use strict";
  const form = document.getElementById("template-form");
  if (!form) return;
  const rowsBox = document.getElementById("tree-rows");
  const rowTemplate = document.getElementById("tree-row-template");
  const totalBox = document.getElementById("tree-total");
  const ruleParams = JSON.parse(form.dataset.ruleParams || "{}");
  const LEVELS = { 1: "一级指标", 2: "二级指标", 3: "三级指标" };

  const rows = () => Array.from(rowsBox.querySelectorAll("[data-row]"));
  const levelOf = (row) => parseInt(row.querySelector(".tree-level").value, 10) || 1;
  const field = (row, name) => row.querySelector(`[name$="-${name}"]`);

  // Exact decimal sums on two-decimal fixed point (weights have at most two decimals).
  function cents(text) {
    const t = String(text || "").trim();
    if (!/^\d+(\.\d{1,2})?$/.test(t)) return t === "" ? 0 : NaN;
    const [whole, frac = ""] = t.split(".");
    return parseInt(whole, 10) * 100 + parseInt((frac + "00").slice(0, 2), 10);
  }
  const show = (c) => (Number.isNaN(c) ? "？" : (c / 100).toFixed(2).replace(/\.?0+$/, ""));

  function renumber() {
    const counters = [0, 0, 0, 0];
    rows().forEach((row, i) => {
      row.querySelectorAll("[name^='nodes-']").forEach((el) => {
        el.name = el.name.replace(/^nodes-[^-]+-/, `nodes-${i}-`);
      });
      const level = levelOf(row);
      counters[level] += 1;
      for (let d = level + 1; d < 4; d++) counters[d] = 0;
      row.querySelector(".tree-code").textContent = counters.slice(1, level + 1).join(".");
      row.className = row.className.replace(/level-\d/, `level-${level}`);
    });
  }

  function check() {
    const list = rows();
    let leaves = 0;
    let problems = 0;
    list.forEach((row, i) => {
      const level = levelOf(row);
      const next = list[i + 1];
      const leaf = !next || levelOf(next) <= level;
      row.classList.toggle("is-leaf", leaf);
      const sumBox = row.querySelector("[data-sum]");
      const own = cents(field(row, "weight").value);
      let bad = Number.isNaN(own);
      if (leaf) {
        leaves += own;
        sumBox.textContent = "";
      } else {
        let sum = 0;
        for (let j = i + 1; j < list.length && levelOf(list[j]) > level; j++) {
          if (levelOf(list[j]) === level + 1) sum += cents(field(list[j], "weight").value);
        }
        const stated = field(row, "weight").value.trim() !== "";
        const differs = stated && sum !== own;
        sumBox.textContent = `下级合计 ${show(sum)}` + (differs ? `，与本级分值 ${show(own)} 不一致` : "");
        bad = bad || Number.isNaN(sum) || differs;
      }
      const previous = list[i - 1];
      const jump = level > (previous ? levelOf(previous) : 0) + 1;
      sumBox.classList.toggle("bad", bad || jump);
      if (jump) sumBox.textContent = `${LEVELS[level]}应位于${LEVELS[level - 1]}之下`;
      problems += bad || jump ? 1 : 0;
    });
    const totalInput = form.querySelector("[data-total]");
    const total = cents(totalInput ? totalInput.value : "");
    const ok = !Number.isNaN(leaves) && leaves === total && problems === 0;
    totalBox.textContent = `末级指标分值合计 ${show(leaves)}，总分值 ${show(total)}` +
      (ok ? "：一致" : leaves !== total ? "：不一致" : `：另有 ${problems} 处待修正`);
    totalBox.classList.toggle("bad", !ok);
    totalBox.classList.toggle("ok", ok);
  }

  function paramsFor(row) {
    const box = row.querySelector("[data-params]");
    const type = row.querySelector(".tree-rule").value;
    const prefix = field(row, "rule_type").name.replace(/rule_type$/, "");
    box.textContent = "";
    (ruleParams[type] || []).forEach(([name, label, unit, fallback]) => {
      const wrap = document.createElement("label");
      wrap.className = "tree-param";
      wrap.append(label + " ");
      const input = document.createElement("input");
      input.className = "input";
      input.name = `${prefix}p_${name}`;
      input.placeholder = fallback;
      input.inputMode = "decimal";
      wrap.append(input);
      const u = document.createElement("span");
      u.className = "unit";
      u.textContent = unit;
      wrap.append(u);
      box.append(wrap);
    });
  }

  function newRow(level) {
    const html = rowTemplate.innerHTML.replace(/__i__/g, "new");
    const holder = document.createElement("div");
    holder.innerHTML = html.trim();
    const row = holder.firstElementChild;
    row.querySelector(".tree-level").value = String(level);
    return row;
  }

  function subtreeEnd(list, i) {
    const level = levelOf(list[i]);
    let j = i + 1;
    while (j < list.length && levelOf(list[j]) > level) j++;
    return j; // index after the subtree
  }

  form.addEventListener("click", (event) => {
    const button = event.target.closest("[data-action]");
    if (!button) return;
    const action = button.dataset.action;
    if (action === "add-root") {
      rowsBox.append(newRow(1));
    } else {
      const row = button.closest("[data-row]");
      const list = rows();
      const i = list.indexOf(row);
      const level = levelOf(row);
      const end = subtreeEnd(list, i);
      const subtree = list.slice(i, end);
      if (action === "remove") {
        const n = subtree.length;
        if (n > 1 && !window.confirm(`删除“${field(row, "name").value || "该指标"}”及其 ${n - 1} 个下级指标？`)) return;
        subtree.forEach((r) => r.remove());
      } else if (action === "sibling") {
        (list[end] ? rowsBox.insertBefore(newRow(level), list[end]) : rowsBox.append(newRow(level)));
      } else if (action === "child" && level < 3) {
        const child = newRow(level + 1);
        list[i].after(child);
      } else if (action === "up" || action === "down") {
        // Swap with the neighbouring sibling subtree of the same level.
        if (action === "up") {
          let j = i - 1;
          while (j >= 0 && levelOf(list[j]) > level) j--;
          if (j < 0 || levelOf(list[j]) !== level) return;
          subtree.forEach((r) => rowsBox.insertBefore(r, list[j]));
        } else {
          if (end >= list.length || levelOf(list[end]) !== level) return;
          const after = subtreeEnd(list, end);
          const anchor = list[after] || null;
          subtree.forEach((r) => rowsBox.insertBefore(r, anchor));
        }
      }
    }
    renumber();
    check();
  });

  form.addEventListener("change", (event) => {
    if (event.target.classList.contains("tree-rule")) paramsFor(event.target.closest("[data-row]"));
    if (event.target.classList.contains("tree-level")) renumber();
    check();
  });
  form.addEventListener("input", check);
  form.addEventListener("submit", renumber);
  renumber();
  check();
})();
