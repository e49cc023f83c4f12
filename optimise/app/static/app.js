// The run page's live part: poll /runs/{id}/status every second, move the bar,
// show the stage; reload when the run ends (the page then shows its results).
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live) return;
  var url = live.getAttribute("data-status-url");
  var bar = document.getElementById("bar");
  var stage = document.getElementById("stage");
  var status = document.getElementById("status");
  function poll() {
    fetch(url, {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (s) {
        bar.value = s.fraction;
        stage.textContent = s.progress;
        status.textContent = s.status;
        if (s.status === "queued" || s.status === "running") {
          setTimeout(poll, 1000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { setTimeout(poll, 1000); });
  }
  setTimeout(poll, 1000);
})();
