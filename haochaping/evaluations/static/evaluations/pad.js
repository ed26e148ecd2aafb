// Evaluator pad: speak the invitation to rate when the rating screen appears (seed 000:
// 语音提醒). Short polling and screen changes are htmx attributes in the partials; with
// HCP_PAD_WAIT_URL the idle screen carries data-wait-url instead and this script
// long-polls `haochaping padwait`, asking Django for the screen only when the version
// moved (and every data-heartbeat seconds, which keeps the device check server-side).
(function () {
  function speak(root) {
    if (!root || !("speechSynthesis" in window)) return;
    var el = root.matches && root.matches("[data-speak]") ? root : root.querySelector("[data-speak]");
    if (!el) return;
    var utterance = new SpeechSynthesisUtterance(el.getAttribute("data-speak"));
    utterance.lang = "zh-CN";
    window.speechSynthesis.cancel();
    window.speechSynthesis.speak(utterance);
  }

  var current = null; // the AbortController of the running wait loop

  function sleep(ms) { return new Promise(function (done) { setTimeout(done, ms); }); }

  // Ask Django for the screen: 204 keeps the idle screen (false), a refusal reloads the
  // page (which shows it), anything else is swapped in by htmx (true).
  async function askState(idle, version) {
    var url = idle.getAttribute("data-state-url") + "?v=" + encodeURIComponent(version);
    var response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
    if (response.status === 204) return false;
    if (response.status === 401) { window.location.reload(); return true; }
    await htmx.ajax("GET", url, { target: "#pad", swap: "innerHTML" });
    return true;
  }

  async function waitLoop(idle, control) {
    var version = idle.getAttribute("data-version");
    var waitUrl = idle.getAttribute("data-wait-url");
    var heartbeatMs = 1000 * (parseInt(idle.getAttribute("data-heartbeat"), 10) || 300);
    var lastBeat = Date.now();
    var backoff = 1000;
    while (!control.signal.aborted && idle.isConnected) {
      var response = null;
      try {
        if (Date.now() - lastBeat >= heartbeatMs) {
          lastBeat = Date.now();
          if (await askState(idle, version)) return;
        }
        response = await fetch(waitUrl + "?v=" + encodeURIComponent(version),
                               { credentials: "same-origin", cache: "no-store", signal: control.signal });
        if (response.status === 200 && await askState(idle, version)) return;
        if (response.status === 401) { window.location.reload(); return; }
      } catch (err) {
        if (control.signal.aborted) return;
      }
      if (response && response.status === 204) { backoff = 1000; continue; }
      await sleep(backoff); // moved but Django still agrees, or the service is away
      backoff = response && response.status === 200 ? 1000 : Math.min(backoff * 2, 30000);
    }
  }

  function startWaiting() {
    var idle = document.querySelector("#pad [data-wait-url]");
    if (current) current.abort();
    current = null;
    if (!idle) return;
    current = new AbortController();
    waitLoop(idle, current);
  }

  // A rating is kept in localStorage until the server answered it, and sent again with
  // the same Idempotency-Key after a network drop or a reload: a rating that did land
  // replays its answer (views.pad.pad_rate), one that did not is recorded now.
  var PENDING = "hcp.pad.pending";
  var retryTimer = null;
  var retryMs = 2000;

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  function pending() {
    try { return JSON.parse(localStorage.getItem(PENDING) || "null"); } catch (err) { return null; }
  }

  function banner(show) {
    var el = document.getElementById("pad-pending");
    if (!show) { if (el) el.remove(); return; }
    if (!el) {
      el = document.createElement("div");
      el.id = "pad-pending";
      el.className = "pad-pending";
      el.setAttribute("role", "status");
      document.body.appendChild(el);
    }
    el.textContent = "网络暂时中断，您的评价已保存在本机，网络恢复后将自动提交。";
  }

  function show(html) {
    var pad = document.getElementById("pad");
    pad.innerHTML = html;
    htmx.process(pad);
    speak(pad);
    startWaiting();
  }

  function schedule() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(send, retryMs);
    retryMs = Math.min(retryMs * 2, 30000);
  }

  async function send() {
    var item = pending();
    clearTimeout(retryTimer);
    if (!item) { banner(false); return; }
    var response;
    try {
      response = await fetch(item.url, {
        method: "POST", credentials: "same-origin", cache: "no-store",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true",
                   "Idempotency-Key": item.key },
        body: item.body });
    } catch (err) { banner(true); schedule(); return; }
    if (response.status >= 500 || response.status === 429) { banner(true); schedule(); return; }
    localStorage.removeItem(PENDING);
    banner(false);
    retryMs = 2000;
    if (response.status === 401) { window.location.reload(); return; }
    show(await response.text());
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-pad-rate]")) return;
    event.preventDefault();
    var body = new URLSearchParams(new FormData(form)).toString();
    localStorage.setItem(PENDING, JSON.stringify({ key: newKey(), url: form.action, body: body,
                                                   at: Date.now() }));
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; button.textContent = "正在提交…"; }
    send();
  });
  window.addEventListener("online", function () { retryMs = 2000; send(); });
  document.addEventListener("DOMContentLoaded", function () { if (pending()) send(); });

  document.addEventListener("htmx:afterSwap", function (event) {
    speak(event.detail.target);
    startWaiting();
  });
  document.addEventListener("DOMContentLoaded", startWaiting);
})();
