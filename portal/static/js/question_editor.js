// Question editor (issue #12): option, blank and scoring-point rows can be added,
// removed and moved without a round trip. Without JavaScript the same form works
// with its "顺序" numbers, "删除" boxes and "添加…" buttons (server-side).
(function () {
  var LETTERS = "ABCDEFGH";
  var editor = document.getElementById("question-editor");
  if (!editor) { return; }
  var groups = editor.querySelectorAll(".editor-rows");

  function rows(group) { return group.querySelectorAll("[data-row]"); }

  function renumber(group) {
    var prefix = group.dataset.prefix;
    var list = rows(group);
    for (var i = 0; i < list.length; i++) {
      var row = list[i];
      var order = row.querySelector(".row-order");
      if (order) { order.value = i + 1; }
      var letter = row.querySelector(".row-letter");
      if (letter) {
        letter.textContent = prefix === "option" ? (LETTERS[i] || "?")
          : prefix === "blank" ? "第" + (i + 1) + "空" : String(i + 1);
      }
      var up = row.querySelector(".row-up");
      var down = row.querySelector(".row-down");
      if (up) { up.disabled = i === 0; }
      if (down) { down.disabled = i === list.length - 1; }
    }
  }

  function button(text, cls, label) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-outline-secondary btn-sm " + cls;
    b.textContent = text;
    b.setAttribute("aria-label", label);
    return b;
  }

  function enhance(group, row) {
    var orderBox = row.querySelector(".row-order-box");
    var removeBox = row.querySelector(".row-remove-box");
    if (orderBox) { orderBox.classList.add("d-none"); }
    if (removeBox) { removeBox.classList.add("d-none"); }
    var label = group.dataset.label;
    var tools = document.createElement("div");
    tools.className = "col-auto btn-group row-tools";
    tools.appendChild(button("↑", "row-up", "上移此" + label));
    tools.appendChild(button("↓", "row-down", "下移此" + label));
    tools.appendChild(button("删除", "row-delete", "删除此" + label));
    row.appendChild(tools);
  }

  function nextIndex(group) {
    var max = -1;
    var inputs = group.querySelectorAll("[name]");
    for (var i = 0; i < inputs.length; i++) {
      var m = /^[a-z]+-(\d+)-/.exec(inputs[i].name);
      if (m) { max = Math.max(max, parseInt(m[1], 10)); }
    }
    return max + 1;
  }

  function addRow(group) {
    var list = rows(group);
    if (!list.length) { return false; }
    if (group.dataset.prefix === "option" && list.length >= LETTERS.length) { return true; }
    var copy = list[list.length - 1].cloneNode(true);
    var index = nextIndex(group);
    var fields = copy.querySelectorAll("[name], [id], label[for]");
    for (var i = 0; i < fields.length; i++) {
      var el = fields[i];
      ["name", "id", "for"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) { el.setAttribute(attr, value.replace(/-(\d+)-/, "-" + index + "-")); }
      });
      if (el.type === "checkbox") { el.checked = false; }
      else if (el.tagName === "INPUT" && !el.classList.contains("row-order")) { el.value = ""; }
    }
    list[list.length - 1].after(copy);
    renumber(group);
    var first = copy.querySelector("input:not(.row-order)");
    if (first) { first.focus(); }
    return true;
  }

  for (var g = 0; g < groups.length; g++) {
    var group = groups[g];
    var list = rows(group);
    for (var r = 0; r < list.length; r++) { enhance(group, list[r]); }
    renumber(group);
    group.addEventListener("click", function (event) {
      var target = event.target;
      var grp = target.closest(".editor-rows");
      var row = target.closest("[data-row]");
      if (target.classList.contains("add-row")) {
        if (addRow(grp)) { event.preventDefault(); }
        return;
      }
      if (!row) { return; }
      if (target.classList.contains("row-up") && row.previousElementSibling &&
          row.previousElementSibling.hasAttribute("data-row")) {
        row.previousElementSibling.before(row);
        target.focus();
      } else if (target.classList.contains("row-down") && row.nextElementSibling &&
          row.nextElementSibling.hasAttribute("data-row")) {
        row.nextElementSibling.after(row);
        target.focus();
      } else if (target.classList.contains("row-delete")) {
        if (rows(grp).length <= 1) { return; }
        var focusTo = row.previousElementSibling || row.nextElementSibling;
        row.remove();
        var b = focusTo && focusTo.querySelector(".row-delete");
        if (b) { b.focus(); }
      } else {
        return;
      }
      renumber(grp);
    });
  }
})();
