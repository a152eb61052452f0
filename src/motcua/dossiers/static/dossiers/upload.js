// Upload progress for long uploads: send the form with XMLHttpRequest and show a progress bar.
// Without JavaScript the form still posts normally.
(function () {
  "use strict";
  document.querySelectorAll("form[data-upload-progress]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var hasFiles = Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (i) {
        return i.files && i.files.length > 0;
      });
      if (!hasFiles || !window.FormData) { return; }
      event.preventDefault();
      var bar = form.querySelector(".upload-progress");
      var status = form.querySelector(".upload-status");
      var data = new FormData(form);
      if (event.submitter && event.submitter.name) { data.append(event.submitter.name, "1"); }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action || window.location.href);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable && bar) { bar.hidden = false; bar.value = Math.round(100 * e.loaded / e.total); }
        if (status) { status.textContent = (bar ? bar.value : 0) + "%"; }
      });
      xhr.addEventListener("load", function () {
        // The response is the page the server redirected to (or the form again, with its errors):
        // show it as it is, so its one-time messages are not lost, and put its address in the bar.
        if (xhr.responseURL && xhr.responseURL !== window.location.href) {
          window.history.replaceState(null, "", xhr.responseURL);
        }
        document.open(); document.write(xhr.responseText); document.close();
      });
      xhr.addEventListener("error", function () { if (status) { status.textContent = "Lỗi mạng, vui lòng thử lại / Network error, please retry."; } });
      xhr.send(data);
    });
  });
})();
