// Material page: report study time to the server, which does the counting
// (exams.training.services.record_heartbeat). Text and PDF: beats every
// `interval` seconds while the page is visible. Video: only while it plays —
// "start" on play and after a seek (anchors, no credit), beats with the playback
// position while playing, "hidden" on pause, end or when the page is hidden; the
// server credits only newly watched seconds. Every request carries a random page
// id, so another device's page is not credited at the same time.
(function () {
  "use strict";
  var root = document.getElementById("material");
  if (!root) { return; }
  var url = root.dataset.url;
  var csrf = root.dataset.csrf;
  var interval = Number(root.dataset.interval) * 1000;
  var stateEl = document.getElementById("study-state");
  var blockedEl = document.getElementById("study-blocked");
  var video = document.getElementById("material-video");
  var client = Math.random().toString(36).slice(2, 12) + Date.now().toString(36);
  var timer = null;

  function shown(seconds, required) {
    var need = Math.round(required / 60);
    if (seconds < 60) { return "已学 " + seconds + " 秒 / " + need + " 分钟"; }
    return "已学 " + Math.floor(seconds / 60) + " / " + need + " 分钟";
  }

  function send(state) {
    var body = { state: state, client: client };
    if (video) { body.position = video.currentTime; }
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: state === "hidden",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    }).then(function (r) { return r.json(); }).then(function (data) {
      if (!data.ok) { return; }
      if (blockedEl) { blockedEl.classList.toggle("d-none", !data.blocked); }
      if (data.done) {
        stateEl.textContent = "已学完";
        stateEl.className = "badge text-bg-success";
      } else {
        stateEl.textContent = shown(data.seconds, data.required);
      }
    }).catch(function () { /* offline: the next beat re-anchors on the server */ });
  }

  function counting() {
    if (document.visibilityState !== "visible") { return false; }
    return !video || (!video.paused && !video.ended && !video.seeking);
  }

  function start() {
    if (timer || !counting()) { return; }
    send("start");
    timer = setInterval(function () {
      if (counting()) { send("beat"); }
    }, interval);
  }

  function stop() {
    if (!timer) { return; }
    clearInterval(timer);
    timer = null;
    send("hidden");
  }

  if (video) {
    video.addEventListener("play", start);
    video.addEventListener("playing", start);
    video.addEventListener("pause", stop);
    video.addEventListener("ended", stop);
    // A seek re-anchors at the new position: the jump itself is never credited.
    video.addEventListener("seeked", function () {
      if (timer && counting()) { send("start"); }
    });
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { start(); } else { stop(); }
  });
  window.addEventListener("pagehide", stop);
  start();
}());
