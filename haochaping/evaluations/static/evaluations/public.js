// Progressive enhancement only: every page works as plain HTML without this file.
// Refusals come back with 4xx and a Chinese partial; show them instead of dropping them.
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  if (status >= 400 && status < 500) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// A button with data-countdown="N" (resend an SMS code) stays disabled for N seconds,
// counting down, then shows its data-label; the server refuses an early resend anyway.
(function () {
  function start(root) {
    var buttons = (root || document).querySelectorAll("[data-countdown]");
    Array.prototype.forEach.call(buttons, function (button) {
      var left = parseInt(button.getAttribute("data-countdown"), 10) || 0;
      if (left <= 0 || button.dataset.counting) return;
      button.dataset.counting = "1";
      button.disabled = true;
      var timer = setInterval(function () {
        left -= 1;
        if (left <= 0) {
          clearInterval(timer);
          button.disabled = false;
          button.textContent = button.getAttribute("data-label");
          return;
        }
        button.textContent = left + " 秒后可重新获取";
      }, 1000);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { start(document); });
  document.addEventListener("htmx:afterSwap", function (event) { start(document); });
})();
