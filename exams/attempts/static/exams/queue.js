// Start queue (排队中): poll the candidate's place and enter the exam by itself
// when its turn comes. The server decides; this page only shows and follows it.
(function () {
  "use strict";
  var root = document.getElementById("start-queue");
  if (!root) { return; }
  var form = document.getElementById("queue-enter");
  var button = document.getElementById("queue-enter-button");
  var entered = false;

  function enter() {
    if (entered) { return; }
    entered = true;
    document.getElementById("queue-state").textContent = "正在进入考试…";
    form.submit();
  }

  function poll() {
    fetch(root.dataset.statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (response.status === 503 || response.status === 429) { throw new Error("busy"); }
        return response.json();
      })
      .then(function (data) {
        if (data.ready) { button.disabled = false; enter(); return; }
        document.getElementById("queue-position").textContent = data.position;
        document.getElementById("queue-wait").textContent = data.wait;
        // Poll more often near the turn; jitter so that the queue does not poll in step.
        var next = Math.min(10, Math.max(1, data.wait / 2)) * 1000 * (0.75 + Math.random() / 2);
        setTimeout(poll, next);
      })
      .catch(function () { setTimeout(poll, 3000 + Math.random() * 3000); });
  }
  if (button.disabled) { setTimeout(poll, 1000); } else { enter(); }
})();
