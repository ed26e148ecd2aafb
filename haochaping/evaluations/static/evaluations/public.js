// Progressive enhancement only: every page works as plain HTML without this file.
// Refusals come back with 4xx and a Chinese partial; show them instead of dropping them.
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  if (status >= 400 && status < 500) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
