// Live preview of the form administration page: while the administrator types, the definition
// is sent to the server, which checks it as publishing would and answers the preview's HTML.
// Without this script the 预览 button does the same with a full page.
(function () {
  var form = document.getElementById("form-admin");
  var area = document.getElementById("form");
  var preview = document.getElementById("preview");
  if (!form || !area || !preview || !window.fetch) return;
  var timer = null;
  var sent = 0;
  area.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var n = ++sent;
      var body = new URLSearchParams();
      body.set("csrf", form.elements["csrf"].value);
      body.set("form", area.value);
      fetch(preview.dataset.endpoint, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          // An older answer that arrives late never replaces a newer one.
          if (n === sent) preview.innerHTML = html;
        });
    }, 300);
  });
})();
