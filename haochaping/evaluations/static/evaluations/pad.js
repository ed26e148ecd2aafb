// Evaluator pad: speak the invitation to rate when the rating screen appears (seed 000:
// 语音提醒). Polling and screen changes are htmx attributes in the partials.
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
  document.addEventListener("htmx:afterSwap", function (event) { speak(event.detail.target); });
})();
