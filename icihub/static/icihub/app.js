/* icihub page behaviour. No inline scripts anywhere: everything is wired here
   through data- attributes, so a strict Content-Security-Policy holds. */
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function wire(root) {
    // <select data-autosubmit> submits its form on change.
    root.querySelectorAll("[data-autosubmit]").forEach(function (el) {
      if (el.dataset.wired) return;
      el.dataset.wired = "1";
      el.addEventListener("change", function () {
        if (el.form) el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
      });
    });
    // <button data-toggle="id"> shows/hides an element (mobile navigation).
    root.querySelectorAll("[data-toggle]").forEach(function (el) {
      if (el.dataset.wired) return;
      el.dataset.wired = "1";
      el.addEventListener("click", function () {
        var target = document.getElementById(el.dataset.toggle);
        if (!target) return;
        var open = target.classList.toggle("open");
        el.setAttribute("aria-expanded", open ? "true" : "false");
      });
    });
    // <button data-confirm="text"> asks before submitting.
    root.querySelectorAll("[data-confirm]").forEach(function (el) {
      if (el.dataset.wired) return;
      el.dataset.wired = "1";
      el.addEventListener("click", function (event) {
        if (!window.confirm(el.dataset.confirm)) event.preventDefault();
      });
    });
    // <button data-copy="#id"> copies the text of an element.
    root.querySelectorAll("[data-copy]").forEach(function (el) {
      if (el.dataset.wired) return;
      el.dataset.wired = "1";
      el.addEventListener("click", function () {
        var src = document.querySelector(el.dataset.copy);
        if (src && navigator.clipboard) navigator.clipboard.writeText(src.textContent.trim());
      });
    });
  }

  // Close other dropdowns when one opens; close all on outside click.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.dropdown[open]").forEach(function (d) {
      if (!d.contains(event.target)) d.removeAttribute("open");
    });
  });

  // The notification bell ([data-bell], refreshed by htmx on the
  // "notifications-changed" event) catches up when the user comes back to the
  // tab. It does not poll: an open tab must not keep an idle session alive.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible" || !window.htmx) return;
    if (document.querySelector("[data-bell]")) window.htmx.trigger(document.body, "notifications-changed");
  });

  // The messages a page arrives with (after a redirect) are in its live region
  // from the start, and screen readers announce only changes: say them again
  // in the hidden #announcer a moment later, then empty it so that reading the
  // page does not meet them twice.
  function announce(items, announcerId) {
    var announcer = document.getElementById(announcerId);
    if (!announcer) return;
    var text = items.map(function (li) { return li.textContent.trim(); }).join(" ");
    if (!text) return;
    window.setTimeout(function () { announcer.textContent = text; }, 300);
    window.setTimeout(function () { announcer.textContent = ""; }, 8000);
  }

  function announceMessages() {
    var region = document.getElementById("messages");
    if (!region) return;
    var items = Array.prototype.slice.call(region.querySelectorAll("li"));
    var isError = function (li) { return li.classList.contains("msg-error"); };
    // news is said politely (role="status"), errors at once (role="alert")
    announce(items.filter(function (li) { return !isError(li); }), "announcer");
    announce(items.filter(isError), "alert-announcer");
  }

  onReady(function () { wire(document); announceMessages(); });
  document.addEventListener("htmx:afterSettle", function (event) { wire(event.target); });
})();
