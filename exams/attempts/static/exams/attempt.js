// Exam page: autosave with retries, flags (标记) and the question navigator
// (答题卡), focus-loss reports, a heartbeat, and a countdown driven by the
// server's remaining time (re-synchronised by every reply, every 30 s and when
// the tab becomes visible again). Every rule is enforced on the server; this
// page only mirrors it.
(function () {
  "use strict";
  var root = document.getElementById("exam");
  if (!root) { return; }
  var csrf = root.dataset.csrf;
  var deadline = Date.now() + Number(root.dataset.remaining) * 1000;
  var seq = Date.now();
  var pending = {};   // position -> answer body not yet acknowledged
  var flags = {};     // position -> flag body not yet acknowledged
  var stopped = false;  // closed on the server or device refused: send nothing more
  var stateEl = document.getElementById("save-state");
  var warning = document.getElementById("warning");
  var cards = Array.prototype.slice.call(document.querySelectorAll(".question"));
  var navButtons = Array.prototype.slice.call(document.querySelectorAll(".nav-q"));
  var HEARTBEAT_MS = 30000;
  // A save is a heartbeat: a separate one goes only after 30 s without contact.
  var lastContact = Date.now();
  // Overload (503/429 from the server): wait Retry-After, doubling up to a
  // minute, with jitter so that a whole exam room does not retry in step.
  var backoffMs = 0;
  var retryAt = 0;
  var STORE_KEY = "exam-unsaved:" + root.dataset.saveUrl;

  function busyError(response) {
    var error = new Error("busy");
    var after = Number(response.headers.get("Retry-After")) || 3;
    backoffMs = Math.min(60000, Math.max(after * 1000, backoffMs * 2));
    retryAt = Date.now() + backoffMs * (0.5 + Math.random());
    error.busy = true;
    return error;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (response.status === 503 || response.status === 429) { throw busyError(response); }
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        // A login page or an HTML error: the session expired or the page is stale.
        throw new Error(response.redirected ? "login" : "http " + response.status);
      }
      backoffMs = 0;
      lastContact = Date.now();
      return response.json().then(function (data) { data.status_code = response.status; return data; });
    });
  }

  function setState(text, cls) {
    stateEl.textContent = text;
    stateEl.className = "badge " + cls;
  }

  // Warnings sit fixed at the top of the window (where the candidate is
  // looking) in an assertive live region; they fade after 12 s.
  var warningTimer = null;
  function showWarning(text, cls) {
    warning.textContent = text;
    warning.className = "alert exam-warning " + (cls || "alert-warning");
    clearTimeout(warningTimer);
    if (!cls) {
      warningTimer = setTimeout(function () { warning.classList.add("d-none"); }, 12000);
    }
  }

  function goToExamPage() {
    // The exam page closes an expired attempt and redirects to the result.
    stopped = true;
    window.location = root.dataset.takeUrl;
  }

  // Apply a server reply: re-sync the countdown; stop on a closed attempt or a
  // refused device. Returns false when the page must stop sending.
  function sync(data) {
    if (typeof data.remaining === "number") { deadline = Date.now() + data.remaining * 1000; }
    if (data.device === "refused") {
      stopped = true;
      pending = {}; flags = {};
      setState("未保存", "text-bg-danger");
      showWarning(data.error, "alert-danger");
      return false;
    }
    if (data.closed || data.status === "submitted" || data.status === "graded") {
      stopped = true;
      window.location = root.dataset.resultUrl;
      return false;
    }
    return true;
  }

  // Answers -------------------------------------------------------------------

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

  function isAnswered(card) {
    var response = responseOf(card);
    if (Array.isArray(response)) {
      return response.some(function (value) { return String(value).trim() !== ""; });
    }
    return String(response).trim() !== "";
  }

  // Answers not yet acknowledged are kept in this browser (localStorage) until
  // the server has them: a reload or a crashed tab sends them again.
  function persist() {
    try {
      if (Object.keys(pending).length) {
        window.localStorage.setItem(STORE_KEY, JSON.stringify(pending));
      } else {
        window.localStorage.removeItem(STORE_KEY);
      }
    } catch (e) { /* storage full or disabled: the page still retries */ }
  }

  function applyResponse(card, response) {
    var type = card.dataset.type;
    if (type === "single" || type === "true_false" || type === "multiple") {
      card.querySelectorAll("input").forEach(function (input) {
        input.checked = Array.isArray(response) && response.indexOf(input.value) !== -1;
      });
    } else if (type === "fill_blank") {
      card.querySelectorAll(".blank").forEach(function (input, i) {
        input.value = Array.isArray(response) && response[i] != null ? response[i] : "";
      });
    } else if (card.querySelector("textarea")) {
      card.querySelector("textarea").value = response == null ? "" : String(response);
    }
  }

  function restore() {
    var saved = null;
    try { saved = JSON.parse(window.localStorage.getItem(STORE_KEY) || "null"); } catch (e) { saved = null; }
    if (!saved || typeof saved !== "object") { return; }
    Object.keys(saved).forEach(function (p) {
      var body = saved[p], card = cards[Number(p)];
      if (!body || !card) { return; }
      pending[p] = body;
      seq = Math.max(seq, Number(body.seq) || 0);
      applyResponse(card, body.response);
    });
  }

  function unacknowledged() {
    return Object.keys(pending).length + Object.keys(flags).length;
  }

  function send(store, position) {
    var body = store[position];
    return post(root.dataset.saveUrl, body).then(function (data) {
      if (!sync(data)) { return; }
      if (data.ok && store[position] === body) { delete store[position]; persist(); }
      if (!data.ok && data.error) { setState(data.error, "text-bg-danger"); }
    });
  }

  // Send everything not yet acknowledged; resolves when every request is done.
  function flush(force) {
    if (stopped || !unacknowledged()) { return Promise.resolve(); }
    if (!force && Date.now() < retryAt) { return Promise.resolve(); }
    setState("保存中…", "text-bg-warning");
    var requests = [];
    Object.keys(pending).forEach(function (p) { requests.push(send(pending, p)); });
    Object.keys(flags).forEach(function (p) { requests.push(send(flags, p)); });
    return Promise.all(requests).then(function () {
      if (!stopped && !unacknowledged()) { setState("已保存", "text-bg-success"); }
    }).catch(function (error) {
      if (stopped) { return; }
      if (error && error.busy) {
        setState("未保存（服务器繁忙，答案已保留在本机，重试中）", "text-bg-danger");
        clearTimeout(timer);
        timer = setTimeout(flush, Math.max(0, retryAt - Date.now()) + 50);
        return;
      }
      setState(error && error.message === "login"
        ? "未保存（登录已失效，请在新窗口重新登录，本页答案会继续重试）"
        : "未保存（网络中断，正在重试）", "text-bg-danger");
    });
  }

  var timer = null;
  cards.forEach(function (card) {
    var handler = function (event) {
      if (event.target.closest(".flag-toggle")) { return; }
      seq += 1;
      pending[card.dataset.position] = { position: Number(card.dataset.position), response: responseOf(card), seq: seq };
      persist();
      setState("未保存", "text-bg-secondary");
      updateNavigator();
      clearTimeout(timer);
      timer = setTimeout(flush, 800);
    };
    card.addEventListener("change", handler);
    card.addEventListener("input", handler);
    card.addEventListener("focusin", function () { setCurrent(Number(card.dataset.position)); });
  });
  setInterval(function () { flush(); }, 5000);  // retries (not before retryAt)

  // Warn before leaving with unsaved answers (a reload keeps everything saved).
  // A reload or the "leave this page?" prompt blurs and hides the page; that is
  // not switching away from the exam, so focus losses are not reported while the
  // page is unloading (the flag clears if the candidate stays).
  var unloading = false;
  window.addEventListener("beforeunload", function (event) {
    unloading = true;
    setTimeout(function () { unloading = false; }, 1000);
    if (!stopped && unacknowledged()) { event.preventDefault(); event.returnValue = ""; }
  });
  // Leaving the exam page in this tab (a link typed in, back, reload, another
  // page) is reported like a tab switch; the request outlives the page
  // (keepalive). Submitting or the server closing the attempt sets ``stopped``.
  window.addEventListener("pagehide", function () {
    unloading = true;
    if (stopped) { return; }
    try {
      fetch(root.dataset.eventUrl, {
        method: "POST",
        credentials: "same-origin",
        keepalive: true,
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ kind: "leave" })
      });
    } catch (e) { /* nothing to do: the page is going away */ }
  });
  window.addEventListener("pageshow", function () { unloading = false; });  // bfcache

  // Flags (标记) ----------------------------------------------------------------

  function renderFlag(card) {
    var button = card.querySelector(".flag-toggle");
    var on = card.dataset.flagged === "true";
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = on ? "已标记" : "标记";
  }

  cards.forEach(function (card) {
    renderFlag(card);
    card.querySelector(".flag-toggle").addEventListener("click", function () {
      var on = card.dataset.flagged !== "true";
      card.dataset.flagged = on ? "true" : "false";
      renderFlag(card);
      updateNavigator();
      flags[card.dataset.position] = { position: Number(card.dataset.position), flagged: on };
      setState("未保存", "text-bg-secondary");
      flush();
    });
  });

  // Navigator (答题卡) -----------------------------------------------------------

  var current = 0;
  var summaryEl = document.getElementById("nav-summary");
  var shortEl = document.querySelector(".nav-summary-short");

  function counts() {
    var answered = 0, flagged = 0;
    cards.forEach(function (card) {
      if (isAnswered(card)) { answered += 1; }
      if (card.dataset.flagged === "true") { flagged += 1; }
    });
    return { answered: answered, flagged: flagged, total: cards.length };
  }

  function updateNavigator() {
    navButtons.forEach(function (button) {
      var card = cards[Number(button.dataset.position)];
      var answered = isAnswered(card), flagged = card.dataset.flagged === "true";
      button.classList.toggle("answered", answered);
      button.classList.toggle("flagged", flagged);
      button.classList.toggle("current", Number(button.dataset.position) === current);
      button.setAttribute("aria-label", "第 " + (Number(button.dataset.position) + 1) + " 题，" +
        (answered ? "已答" : "未答") + (flagged ? "，已标记" : ""));
      if (Number(button.dataset.position) === current) {
        button.setAttribute("aria-current", "true");
      } else {
        button.removeAttribute("aria-current");
      }
    });
    var c = counts();
    summaryEl.textContent = "已答 " + c.answered + " / 共 " + c.total + "，标记 " + c.flagged;
    if (shortEl) { shortEl.textContent = c.answered + "/" + c.total; }
  }

  function setCurrent(position) {
    if (position === current) { return; }
    current = position;
    updateNavigator();
  }

  var navigatorEl = document.getElementById("navigator");
  navButtons.forEach(function (button) {
    button.addEventListener("click", function () {
      var position = Number(button.dataset.position);
      var card = cards[position];
      setCurrent(position);
      var offcanvas = window.bootstrap && window.bootstrap.Offcanvas.getInstance(navigatorEl);
      if (offcanvas) { offcanvas.hide(); }
      card.scrollIntoView({ block: "start" });
      var input = card.querySelector("input, textarea");
      if (input) { input.focus({ preventScroll: true }); }
    });
  });

  // The current question follows scrolling: the last card whose top is above
  // the upper third of the window.
  var scrollQueued = false;
  window.addEventListener("scroll", function () {
    if (scrollQueued) { return; }
    scrollQueued = true;
    window.requestAnimationFrame(function () {
      scrollQueued = false;
      var line = window.innerHeight / 3, position = 0;
      cards.forEach(function (card, index) {
        if (card.getBoundingClientRect().top <= line) { position = index; }
      });
      setCurrent(position);
    });
  }, { passive: true });
  restore();  // answers this browser still holds from before a reload
  if (unacknowledged()) { setState("未保存（重试中）", "text-bg-secondary"); setTimeout(flush, 300); }
  updateNavigator();

  // Submit: confirm with the unanswered / flagged counts, save, then submit ------

  var form = document.getElementById("submit-form");
  var modalEl = document.getElementById("submit-confirm");
  document.getElementById("submit-exam").addEventListener("click", function () {
    var c = counts();
    var unanswered = c.total - c.answered;
    document.getElementById("submit-confirm-text").textContent =
      "共 " + c.total + " 题，已答 " + c.answered + " 题，未答 " + unanswered + " 题，标记 " + c.flagged + " 题。" +
      (unanswered || c.flagged ? "请确认是否已检查未答和标记的题目。" : "");
    window.bootstrap.Modal.getOrCreateInstance(modalEl).show();
  });
  var submitting = false;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (submitting) { return; }
    submitting = true;
    document.getElementById("confirm-submit").disabled = true;
    clearTimeout(timer);
    // Save the last answers first; submit even if the network fails (the server
    // keeps what it already has).
    flush(true).then(function () { stopped = true; form.submit(); });
  });

  // Focus losses, returns and the heartbeat ------------------------------------

  // Focus-loss reports the server could not take (busy or network down) are
  // sent again later, in order: the record must not depend on the server's load.
  var unsentEvents = [];
  function report(kind) {
    if (stopped) { return Promise.resolve(); }
    return post(root.dataset.eventUrl, { kind: kind }).then(function (data) {
      if (!sync(data)) { return; }
      if ((kind === "hidden" || kind === "blur") && data.ok) {
        showWarning("检测到离开考试页面（第 " + data.switches + " 次" +
          (Number(data.limit) ? "，达到 " + data.limit + " 次将自动交卷" : "") + "），已记录。");
      }
    }).catch(function (error) {
      if (kind !== "heartbeat" && !(error && error.message === "login")) {
        unsentEvents.push(kind);
      }
    });
  }
  function resendEvents() {
    if (stopped || !unsentEvents.length || Date.now() < retryAt) { return; }
    var kinds = unsentEvents;
    unsentEvents = [];
    kinds.reduce(function (chain, kind) {
      return chain.then(function () { return report(kind); });
    }, Promise.resolve());
  }

  // Leaving the page fires both "blur" and "visibilitychange"; count it once,
  // until the candidate is back.
  var away = false;
  function leave(kind) {
    if (!away && !unloading) { away = true; report(kind); }
  }
  function back() {
    // Coming back (also from a sleeping tab or laptop): re-sync the countdown
    // now and retry unsaved answers.
    if (away) { away = false; report("visible"); } else { report("heartbeat"); }
    flush();
  }
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) { leave("hidden"); } else { back(); }
  });
  window.addEventListener("blur", function () { leave("blur"); });
  window.addEventListener("focus", function () { if (away && !document.hidden) { back(); } });
  setInterval(function () {
    if (Date.now() - lastContact >= HEARTBEAT_MS && Date.now() >= retryAt) { report("heartbeat"); }
    resendEvents();
  }, 5000);

  // A deterrent only: the server log of focus losses is what counts.
  document.querySelectorAll(".no-copy").forEach(function (el) {
    ["copy", "cut", "contextmenu"].forEach(function (name) {
      el.addEventListener(name, function (event) { event.preventDefault(); });
    });
  });
  // Pasting into an answer is blocked and logged (at most once a minute).
  var lastPaste = 0;
  cards.forEach(function (card) {
    card.addEventListener("paste", function (event) {
      event.preventDefault();
      showWarning("考试中不能粘贴，请直接输入答案。");
      if (Date.now() - lastPaste > 60000) { lastPaste = Date.now(); report("paste"); }
    });
  });

  var countdown = document.getElementById("countdown");
  var ended = false;
  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    var hours = Math.floor(left / 3600), minutes = Math.floor((left % 3600) / 60), seconds = left % 60;
    countdown.textContent = (hours ? hours + ":" + (minutes < 10 ? "0" : "") : "") + minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
    countdown.classList.toggle("text-danger", left <= 300);
    if (left === 0 && !ended) {
      ended = true;
      flush(true).then(goToExamPage);
    }
  }
  tick();
  setInterval(tick, 1000);
})();
