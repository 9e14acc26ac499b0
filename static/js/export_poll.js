// Polls the status of a running archive extract and reloads the page when it is finished.
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("export-progress");
  var count = document.getElementById("export-count");
  var words = count ? count.textContent.replace(/^[\d\s\/]+/, "") : "";
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (bar) { bar.value = data.progress; bar.textContent = data.progress + " %"; }
        if (count) { count.textContent = data.written + " / " + data.total + " " + words; }
        if (data.finished) { window.location.reload(); } else { window.setTimeout(poll, 1500); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
