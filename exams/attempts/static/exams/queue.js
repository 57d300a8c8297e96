// Start queue (排队中): show the candidate's place and enter the exam by itself
// when its turn comes. The server fixes the admission time when the candidate
// clicks; the page counts down locally every second and asks the server only at
// that time (and every 30 s at most, to stay in step), so that a queue of
// thousands does not spend the server's capacity on polling.
(function () {
  "use strict";
  var root = document.getElementById("start-queue");
  if (!root) { return; }
  var form = document.getElementById("queue-enter");
  var button = document.getElementById("queue-enter-button");
  var positionText = document.getElementById("queue-position");
  var waitText = document.getElementById("queue-wait");
  var entered = false;
  var turnAt = 0; // local time (ms) of the turn
  var perSecond = 0; // candidates let in per second, as the server reported

  function enter() {
    if (entered) { return; }
    entered = true;
    document.getElementById("queue-state").textContent = "正在进入考试…";
    form.submit();
  }

  function show(wait, position) {
    if (waitText) { waitText.textContent = wait; }
    if (positionText) { positionText.textContent = position; }
  }

  function follow(wait, position) {
    turnAt = Date.now() + wait * 1000;
    perSecond = wait > 0 ? position / wait : 0;
    show(wait, position);
    // At the turn (a little after, spread so that the queue does not ask in
    // step), or in 30 s if the turn is further away.
    var next = Math.min(wait, 30) * 1000 + 300 + Math.random() * 1200;
    setTimeout(poll, next);
  }

  function tick() {
    if (entered || !turnAt) { return; }
    var left = Math.max(0, Math.ceil((turnAt - Date.now()) / 1000));
    show(left, Math.max(left > 0 ? 1 : 0, Math.ceil(left * perSecond)));
  }

  function poll() {
    fetch(root.dataset.statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (response.status === 503 || response.status === 429) { throw new Error("busy"); }
        return response.json();
      })
      .then(function (data) {
        if (data.ready) { button.disabled = false; enter(); return; }
        follow(Number(data.wait) || 1, Number(data.position) || 1);
      })
      .catch(function () { setTimeout(poll, 3000 + Math.random() * 3000); });
  }

  if (!button.disabled) { enter(); return; }
  follow(Number(root.dataset.wait) || 1, Number(root.dataset.position) || 1);
  setInterval(tick, 1000);
})();
