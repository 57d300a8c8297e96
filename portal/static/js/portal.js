// Site-wide behaviour, loaded on every page (no inline handlers: the
// Content-Security-Policy allows no inline script).
(function () {
  // <form data-confirm="…"> or <button data-confirm="…">: ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var message = (button && button.dataset.confirm) || form.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();

// Wide tables (.table-responsive) and other scroll boxes: when the content is
// wider or taller than the box, make the box a focusable, named region so that
// keyboard users can scroll it (WCAG 2.1.1); no tab stop where nothing scrolls.
(function () {
  function label(box) {
    var caption = box.querySelector("caption");
    if (caption) { return caption.textContent.trim(); }
    var el = box;
    while (el && el !== document.body) {
      var prev = el.previousElementSibling;
      while (prev) {
        if (/^H[1-6]$/.test(prev.tagName)) { return prev.textContent.trim() + "（表格，可滚动）"; }
        prev = prev.previousElementSibling;
      }
      el = el.parentElement;
    }
    return "表格（可滚动）";
  }
  function update() {
    var boxes = document.querySelectorAll(".table-responsive, [data-scroll-region]");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        if (!box.hasAttribute("aria-label")) {
          box.setAttribute("aria-label", label(box));
          box.dataset.scrollRegionLabel = "1";
        }
        box.dataset.scrollRegionAuto = "1";
      } else if (!scrolls && box.dataset.scrollRegionAuto) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        if (box.dataset.scrollRegionLabel) { box.removeAttribute("aria-label"); }
        delete box.dataset.scrollRegionAuto;
        delete box.dataset.scrollRegionLabel;
      }
    }
  }
  update();
  window.addEventListener("load", update);
  window.addEventListener("resize", update);
})();
