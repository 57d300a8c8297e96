// Material page: report study time to the server. Beats go out every `interval`
// seconds only while the page is visible; the server credits the time between
// beats (capped), so a background tab or a replayed request adds nothing.
(function () {
  "use strict";
  var root = document.getElementById("material");
  if (!root) { return; }
  var url = root.dataset.url;
  var csrf = root.dataset.csrf;
  var interval = Number(root.dataset.interval) * 1000;
  var stateEl = document.getElementById("study-state");
  var timer = null;

  function send(state) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: state === "hidden",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ state: state })
    }).then(function (r) { return r.json(); }).then(function (data) {
      if (!data.ok) { return; }
      if (data.done) {
        stateEl.textContent = "已学完";
        stateEl.className = "badge text-bg-success";
      } else {
        stateEl.textContent = "已学 " + Math.floor(data.seconds / 60) + " / " + Math.round(data.required / 60) + " 分钟";
      }
    }).catch(function () { /* offline: the next beat re-anchors on the server */ });
  }

  function start() {
    if (timer) { return; }
    send("start");
    timer = setInterval(function () {
      if (document.visibilityState === "visible") { send("beat"); }
    }, interval);
  }

  function stop() {
    if (!timer) { return; }
    clearInterval(timer);
    timer = null;
    send("hidden");
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { start(); } else { stop(); }
  });
  window.addEventListener("pagehide", stop);
  if (document.visibilityState === "visible") { start(); }
}());
