// Exam page: autosave with retries, heartbeat, focus-loss reports, and a countdown
// driven by the server's remaining time (re-synchronised on every reply).
(function () {
  "use strict";
  var root = document.getElementById("exam");
  if (!root) { return; }
  var csrf = root.dataset.csrf;
  var deadline = Date.now() + Number(root.dataset.remaining) * 1000;
  var seq = Date.now();
  var pending = {};
  var stateEl = document.getElementById("save-state");
  var warning = document.getElementById("warning");

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { data.status_code = response.status; return data; });
    });
  }

  function setState(text, cls) {
    stateEl.textContent = text;
    stateEl.className = "badge " + cls;
  }

  function sync(data) {
    if (typeof data.remaining === "number") { deadline = Date.now() + data.remaining * 1000; }
    if (data.status_code === 409 || data.status === "submitted" || data.status === "graded") {
      window.location = root.dataset.resultUrl;
    }
  }

  function responseOf(card) {
    var type = card.dataset.type;
    var inputs = card.querySelectorAll("input, textarea");
    if (type === "single" || type === "true_false" || type === "multiple") {
      var chosen = [];
      inputs.forEach(function (input) { if (input.checked) { chosen.push(input.value); } });
      return chosen;
    }
    if (type === "fill_blank") {
      return Array.prototype.map.call(card.querySelectorAll(".blank"), function (i) { return i.value; });
    }
    return card.querySelector("textarea").value;
  }

  function flush() {
    var positions = Object.keys(pending);
    if (!positions.length) { return; }
    setState("保存中…", "text-bg-warning");
    positions.forEach(function (position) {
      var body = pending[position];
      post(root.dataset.saveUrl, body).then(function (data) {
        sync(data);
        if (data.ok && pending[position] === body) { delete pending[position]; }
        if (!Object.keys(pending).length) { setState("已保存", "text-bg-success"); }
        if (!data.ok && data.error) { setState(data.error, "text-bg-danger"); }
      }).catch(function () {
        setState("未保存（网络中断，正在重试）", "text-bg-danger");
      });
    });
  }

  var timer = null;
  document.querySelectorAll(".question").forEach(function (card) {
    var handler = function () {
      seq += 1;
      pending[card.dataset.position] = { position: Number(card.dataset.position), response: responseOf(card), seq: seq };
      setState("未保存", "text-bg-secondary");
      clearTimeout(timer);
      timer = setTimeout(flush, 800);
    };
    card.addEventListener("change", handler);
    card.addEventListener("input", handler);
  });
  setInterval(flush, 5000);  // retries of anything not yet acknowledged

  function report(kind) {
    post(root.dataset.eventUrl, { kind: kind }).then(function (data) {
      sync(data);
      if ((kind === "hidden" || kind === "blur") && data.ok) {
        warning.textContent = "检测到离开考试页面（第 " + data.switches + " 次" +
          (Number(data.limit) ? "，达到 " + data.limit + " 次将自动交卷" : "") + "），已记录。";
        warning.classList.remove("d-none");
      }
    }).catch(function () {});
  }
  document.addEventListener("visibilitychange", function () { if (document.hidden) { report("hidden"); } });
  window.addEventListener("blur", function () { report("blur"); });
  setInterval(function () { report("heartbeat"); }, 30000);

  // A deterrent only: the server log of focus losses is what counts.
  document.querySelectorAll(".no-copy").forEach(function (el) {
    ["copy", "cut", "contextmenu"].forEach(function (name) {
      el.addEventListener(name, function (event) { event.preventDefault(); });
    });
  });

  var countdown = document.getElementById("countdown");
  setInterval(function () {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    var minutes = Math.floor(left / 60), seconds = left % 60;
    countdown.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
    if (left === 0) { flush(); setTimeout(function () { window.location = root.dataset.resultUrl; }, 1500); }
  }, 1000);
})();
