// The public suggestion form (portal/suggestions/templates/suggestions/form.html).
(function () {
  var img = document.getElementById("captcha-image");
  if (img) {
    var base = img.getAttribute("src");
    var refresh = function () { img.src = base + "?t=" + Date.now(); };
    img.addEventListener("click", refresh);
    img.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); refresh(); }
    });
  }
  var anonymous = document.querySelector("[data-testid=anonymous]");
  var contact = document.getElementById("contact-fields");
  function sync() { contact.hidden = anonymous.checked; }
  anonymous.addEventListener("change", sync);
  sync();
  // Checked again on the server; here only so that an oversize choice never
  // sends the form (a refused request could not keep the typed text).
  var files = document.getElementById("attachments");
  var note = document.getElementById("attachments-check");
  files.addEventListener("change", function () {
    var max = Number(files.dataset.maxFiles), bytes = Number(files.dataset.maxBytes);
    var problem = "";
    if (files.files.length > max) { problem = "最多上传 " + max + " 个附件，请重新选择。"; }
    for (var i = 0; i < files.files.length && !problem; i++) {
      if (files.files[i].size > bytes) {
        problem = "“" + files.files[i].name + "”超过 " + (bytes / 1048576) + " MB，请压缩后重新选择。";
      }
    }
    note.textContent = problem;
    note.hidden = !problem;
    if (problem) { files.value = ""; }
  });
})();
