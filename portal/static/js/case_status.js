// While a case's check is pending, ask the server every few seconds and reload
// the page once the result is there (no manual refresh).
(function () {
  "use strict";
  var box = document.querySelector("[data-check-status-url]");
  if (!box) {
    return;
  }
  var url = box.dataset.checkStatusUrl;
  var progress = box.querySelector("[data-check-progress]");
  var started = Date.now();
  var delay = 2000;

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data && data.status !== "pending") {
          window.location.reload();
          return;
        }
        if (progress) {
          var seconds = Math.round((Date.now() - started) / 1000);
          progress.textContent = "已等待 " + seconds + " 秒，检查完成后页面将自动更新。";
        }
        delay = Math.min(delay * 1.5, 15000);
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        window.setTimeout(poll, 15000);
      });
  }

  window.setTimeout(poll, delay);
})();
