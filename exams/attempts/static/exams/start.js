// 开始答题 on exam day. nginx passes first clicks to the application at the rate
// the site sustains and answers the rest itself with 503 + Retry-After
// (portal/nginx.py); the gunicorn workers may answer 503/429 too. Instead of an
// error page, the notice page says the candidate is waiting (排队中) and asks
// again by itself, after Retry-After with back-off and jitter so that a wave of
// retries does not arrive in step. The server answers {"next": url} when asked
// for JSON: the start queue, the exam page, or the exam list with a message.
(function () {
  "use strict";
  var form = document.getElementById("start-form");
  if (!form || !window.fetch || !window.FormData) { return; }
  var button = form.querySelector("button[type=submit]");
  var status = document.getElementById("start-status");
  var tries = 0;
  var sending = false;

  function say(text) {
    status.textContent = text;
    status.hidden = false;
  }

  function retry(after) {
    tries += 1;
    // Retry-After, doubled at most twice (×4), then ±50 % jitter.
    var wait = Math.min(30, after * Math.pow(2, Math.min(tries - 1, 2))) * (0.5 + Math.random());
    var at = Date.now() + wait * 1000;
    // The message is announced once per try; the countdown beside it is for
    // the eyes only (a live region that changes every second would be read
    // out every second).
    say("排队中：同时开始考试的考生较多，系统会自动为您再次开始（第 " + tries +
        " 次）。请不要关闭本页，排队不占用答题时间。");
    var countdown = document.createElement("span");
    countdown.setAttribute("aria-hidden", "true");
    countdown.className = "d-block fw-bold mt-1";
    status.appendChild(countdown);
    function show() {
      countdown.textContent = Math.max(0, Math.ceil((at - Date.now()) / 1000)) + " 秒后再次开始";
    }
    show();
    var timer = setInterval(show, 1000);
    setTimeout(function () { clearInterval(timer); send(); }, wait * 1000);
  }

  function send() {
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (response.status === 503 || response.status === 429) {
        retry(Number(response.headers.get("Retry-After")) || 3);
        return null;
      }
      var type = response.headers.get("Content-Type") || "";
      if (response.ok && type.indexOf("application/json") === 0) {
        return response.json().then(function (data) {
          say("正在进入…");
          window.location.assign(data.next);
        });
      }
      // Anything else (an expired page, another device …): the browser shows
      // the server's own page for the same request.
      form.submit();
      return null;
    }).catch(function () { retry(3); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending) { return; }
    sending = true;
    button.disabled = true;
    send();
  });
})();
