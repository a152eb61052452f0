// The operations centre refreshes itself: every 30 s it asks the server for the counts and the charts
// (redrawn there as SVG) and puts them in place — no reload, no third-party code.
(function () {
  "use strict";
  var root = document.querySelector("[data-poll]");
  if (!root) { return; }
  var url = root.getAttribute("data-poll");
  function apply(data) {
    Object.keys(data.counts).forEach(function (key) {
      root.querySelectorAll('[data-count="' + key + '"]').forEach(function (el) {
        el.textContent = String(data.counts[key]);
      });
    });
    root.querySelectorAll("[data-live]").forEach(function (el) {
      var key = el.getAttribute("data-live");
      if (key in data) { el.textContent = String(data[key]); }
    });
    Object.keys(data.charts).forEach(function (key) {
      var box = root.querySelector('[data-chart="' + key + '"]');
      if (box) { box.innerHTML = data.charts[key]; }  // SVG built and escaped by our server
    });
    root.setAttribute("data-refreshed", data.generated_at);
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { apply(data); } })
      .catch(function () {});
  }
  var seconds = parseInt(root.getAttribute("data-poll-seconds") || "30", 10);
  window.setInterval(poll, seconds * 1000);
  window.iocRefresh = poll;
})();
