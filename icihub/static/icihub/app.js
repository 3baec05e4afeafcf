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

  // Text typed into a search box before htmx was listening (a quick typist, a
  // slow page: the box shows before the deferred scripts run) is searched once
  // the page has loaded. htmx takes the text it finds as the box's last value
  // (its "changed" would ignore it), so the search is asked for through the
  // box's own "search" trigger, or its form's "submit" one.
  function searchTypedEarly() {
    if (!window.htmx) return;
    document.querySelectorAll("input[type=search]").forEach(function (input) {
      if (input.value === input.defaultValue) return;
      if (/\bsearch\b/.test(input.getAttribute("hx-trigger") || "")) {
        window.htmx.trigger(input, "search");
        return;
      }
      var form = input.closest("form[hx-trigger]");
      if (form && /\bsubmit\b/.test(form.getAttribute("hx-trigger"))) {
        window.htmx.trigger(form, "submit");
      }
    });
  }

  onReady(function () { wire(document); announceMessages(); });
  if (document.readyState === "complete") searchTypedEarly();
  else window.addEventListener("load", searchTypedEarly);
  document.addEventListener("htmx:afterSettle", function (event) { wire(event.target); });
})();
