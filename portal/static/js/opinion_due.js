// 签发监督意见书: show the due date for the working days entered, before issuing.
(function () {
  "use strict";
  var box = document.querySelector("[data-due-dates]");
  var input = document.querySelector("input[name=deadline_workdays]");
  if (!box || !input) {
    return;
  }
  var dates = JSON.parse(box.dataset.dueDates);
  var target = box.querySelector("[data-due-date]");
  function update() {
    target.textContent = dates[String(parseInt(input.value, 10))] || "—（请输入允许范围内的工作日数）";
  }
  input.addEventListener("input", update);
  update();
})();
