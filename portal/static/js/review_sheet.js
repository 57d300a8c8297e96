// 评查表: recompute the score and grade as items are marked (the same rules as
// casebank/reviews/scoring.py; the server recomputes on save).
(function () {
  "use strict";
  var form = document.querySelector("form[data-review-sheet]");
  if (!form) {
    return;
  }
  var excellent = parseFloat(form.dataset.excellent);
  var pass = parseFloat(form.dataset.pass);
  var scoreEl = document.querySelector("[data-testid=review-score]");
  var gradeEl = document.querySelector("[data-testid=review-grade]");
  var hint = document.querySelector("[data-live-hint]");

  function format(value) {
    return String(Math.round(value * 10) / 10);
  }

  function recompute() {
    var total = 0;
    var vetoed = false;
    form.querySelectorAll("[data-section]").forEach(function (section) {
      var lost = 0;
      section.querySelectorAll("input[data-max]").forEach(function (input) {
        var value = parseFloat(input.value);
        var max = parseFloat(input.dataset.max);
        if (!isNaN(value) && value > 0) {
          lost += Math.min(value, max);
        }
      });
      section.querySelectorAll("input[data-veto]").forEach(function (box) {
        if (box.checked) {
          vetoed = true;
        }
      });
      lost = Math.min(lost, parseFloat(section.dataset.points));
      var label = section.querySelector("[data-section-lost]");
      if (label) {
        label.textContent = format(lost);
      }
      total += lost;
    });
    var score = vetoed ? 0 : Math.max(100 - total, 0);
    var grade = "不合格";
    if (!vetoed && score >= excellent) {
      grade = "优秀";
    } else if (!vetoed && score >= pass) {
      grade = "合格";
    }
    scoreEl.textContent = format(score);
    gradeEl.textContent = grade;
    if (hint) {
      hint.textContent = "（按当前填写即时计算；保存后生效）";
    }
  }

  form.addEventListener("input", recompute);
  form.addEventListener("change", recompute);
  recompute();
})();
