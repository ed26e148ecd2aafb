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

  document.addEventListener("htmx:afterSwap", function (event) {
    speak(event.detail.target);
    startWaiting();
  });
  document.addEventListener("DOMContentLoaded", startWaiting);
})();
