/* Training pages: bulk selection on the session page and "all present" on the
   attendance grid. Wired through data- attributes (no inline scripts). Without
   JavaScript the same forms work through their submit buttons. */
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  onReady(function () {
    // <input type="checkbox" data-select-all="nominated">: (un)ticks every
    // row checkbox of its form whose data-select is that status.
    document.querySelectorAll("[data-select-all]").forEach(function (box) {
      box.addEventListener("change", function () {
        var form = box.form || document;
        form.querySelectorAll('input[data-select="' + box.dataset.selectAll + '"]').forEach(function (el) {
          el.checked = box.checked;
        });
      });
    });
    // <input type="checkbox" data-check-column="20261206">: marks everyone
    // present (or absent) on that day; individuals can then be unticked.
    document.querySelectorAll("[data-check-column]").forEach(function (box) {
      box.hidden = false;
      box.addEventListener("change", function () {
        var form = box.form || document;
        form.querySelectorAll('input[data-day="' + box.dataset.checkColumn + '"]').forEach(function (el) {
          if (!el.disabled) el.checked = box.checked;
        });
      });
    });
  });
})();
