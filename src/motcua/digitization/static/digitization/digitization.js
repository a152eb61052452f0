// Digitisation at the counter, served locally (no CDN, no inline script under the CSP):
// 1. the chosen page files can be put in order (Up/Down) before they are sent: the file input is
//    refilled in the new order (DataTransfer), so the form posts normally;
// 2. the job page polls the job's state and shows the pages done, and reloads once it has finished.
(function () {
  "use strict";
  document.querySelectorAll("form[data-page-order]").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    var list = form.querySelector(".page-order");
    if (!input || !list || !window.DataTransfer) { return; }
    function render() {
      list.textContent = "";
      Array.prototype.forEach.call(input.files, function (file, i) {
        var li = document.createElement("li");
        li.textContent = file.name + " ";
        [["up", -1], ["down", 1]].forEach(function (move) {
          var b = document.createElement("button");
          b.type = "button"; b.className = "button small"; b.textContent = list.dataset[move[0]];
          b.setAttribute("aria-label", list.dataset[move[0]] + ": " + file.name);
          b.disabled = (i + move[1] < 0) || (i + move[1] >= input.files.length);
          b.addEventListener("click", function () { swap(i, i + move[1]); });
          li.appendChild(b);
        });
        list.appendChild(li);
      });
    }
    function swap(a, b) {
      var files = Array.prototype.slice.call(input.files);
      var t = files[a]; files[a] = files[b]; files[b] = t;
      var dt = new DataTransfer();
      files.forEach(function (f) { dt.items.add(f); });
      input.files = dt.files;
      render();
    }
    input.addEventListener("change", render);
  });
  document.querySelectorAll("[data-job-status]").forEach(function (box) {
    if (box.dataset.finished === "1") { return; }
    var url = box.dataset.jobStatus;
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          box.querySelector(".job-pages").textContent = s.pages_done + "/" + s.pages_total;
          box.querySelector(".job-progress").value = s.percent;
          if (s.state === "done" || s.state === "failed") { window.location.reload(); return; }
          window.setTimeout(poll, 1000);
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    window.setTimeout(poll, 500);
  });
})();
