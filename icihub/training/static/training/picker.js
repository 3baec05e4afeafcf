/* The nomination picker (training/session_nominate.html). Search as you type
   (htmx fills the list box), arrow keys choose a person, Enter adds them to
   the ordered list; up, down and remove buttons reorder it; the count is
   announced. Without this file the page still works: every button is a plain
   form submit carrying the list. No inline code (CSP): wired by data- hooks. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function Picker(root) {
    this.root = root;
    this.search = root.querySelector("[data-picker-search]");
    this.results = root.querySelector("[data-picker-results]");
    this.list = root.querySelector("[data-picker-list]");
    this.count = root.querySelector("[data-picker-count]");
    this.empty = root.querySelector("[data-picker-empty]");
    this.freeSeats = parseInt(root.dataset.freeSeats || "", 10);
    this.labels = {};
    try { this.labels = JSON.parse(root.dataset.countLabels || "{}"); } catch (e) { this.labels = {}; }
    var lang = document.documentElement.lang || "en";
    try { this.plural = new Intl.PluralRules(lang); } catch (e) { this.plural = null; }
    this.status = document.createElement("p");
    this.status.className = "visually-hidden";
    this.status.setAttribute("role", "status");
    this.status.setAttribute("data-picker-status", "");
    root.appendChild(this.status);
    this.active = -1;
    this.search.setAttribute("role", "combobox");
    this.search.setAttribute("aria-autocomplete", "list");
    this.wire();
    this.prepareResults();
    this.refresh(false);
  }

  Picker.prototype.options = function () {
    return Array.prototype.slice.call(this.results.querySelectorAll("[data-picker-result]"));
  };

  Picker.prototype.items = function () {
    return Array.prototype.slice.call(this.list.querySelectorAll("[data-picker-item]"));
  };

  Picker.prototype.label = function (n) {
    var labels = this.labels, samples = Object.keys(labels), pick = null, i;
    if (this.plural) {
      var category = this.plural.select(n);
      for (i = 0; i < samples.length; i++) {
        if (this.plural.select(parseInt(samples[i], 10)) === category) { pick = samples[i]; break; }
      }
    }
    if (pick === null) pick = samples.length ? samples[samples.length - 1] : null;
    return pick === null ? String(n) : labels[pick].replace("__N__", String(n));
  };

  Picker.prototype.say = function (text) {
    var status = this.status;
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  };

  // The count, the empty note, each item's seat or waiting-list mark.
  Picker.prototype.refresh = function (announce) {
    var items = this.items(), free = this.freeSeats, root = this.root;
    if (this.count) {
      var text = this.label(items.length);
      if (announce !== false || this.count.textContent !== text) this.count.textContent = text;
    }
    if (this.empty) this.empty.hidden = items.length > 0;
    items.forEach(function (item, i) {
      var mark = item.querySelector("[data-picker-seat]");
      if (!mark || isNaN(free)) return;
      mark.textContent = i < free ? root.dataset.seatLabel : root.dataset.waitingLabel;
      mark.className = "picker-seat small " + (i < free ? "is-seat" : "is-waiting");
    });
  };

  Picker.prototype.setActive = function (index) {
    var options = this.options();
    if (!options.length) { this.active = -1; this.search.removeAttribute("aria-activedescendant"); return; }
    if (index < 0) index = options.length - 1;
    if (index >= options.length) index = 0;
    options.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
      option.classList.toggle("is-active", i === index);
    });
    this.active = index;
    this.search.setAttribute("aria-activedescendant", options[index].id);
    if (options[index].scrollIntoView) options[index].scrollIntoView({ block: "nearest" });
  };

  // After htmx filled the results: with this file they are a list box of
  // options chosen from the search box (a combobox); the plain page's "add"
  // buttons are unwrapped (no button inside an option).
  Picker.prototype.prepareResults = function () {
    var box = this.results.querySelector("[data-picker-options]");
    var options = this.options();
    options.forEach(function (option) {
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      var button = option.querySelector("button");
      if (!button) return;
      var hint = button.querySelector("[data-picker-nojs]");
      if (hint) hint.remove();
      while (button.firstChild) option.insertBefore(button.firstChild, button);
      button.remove();
    });
    this.active = -1;
    this.search.removeAttribute("aria-activedescendant");
    if (box && options.length) {
      box.setAttribute("role", "listbox");
      box.setAttribute("aria-label", this.results.dataset.label || "");
      this.search.setAttribute("aria-controls", box.id);
      this.search.setAttribute("aria-expanded", "true");
    } else {
      this.search.removeAttribute("aria-controls");
      this.search.setAttribute("aria-expanded", "false");
    }
  };

  Picker.prototype.add = function (option) {
    var template = option.querySelector("template[data-picker-item-html]");
    if (!template) return;
    var id = option.dataset.id;
    if (this.list.querySelector('[data-picker-item][data-id="' + id + '"]')) return;
    var item = template.content.firstElementChild.cloneNode(true);
    this.list.appendChild(item);
    var index = this.options().indexOf(option);
    option.remove();
    var options = this.options();
    if (options.length) this.setActive(Math.min(index, options.length - 1));
    else this.prepareResults();
    this.refresh();
    this.search.focus();
  };

  Picker.prototype.move = function (item, op, button) {
    var name = item.querySelector("[data-picker-name]");
    name = name ? name.textContent.trim() : "";
    if (op === "up" && item.previousElementSibling) {
      this.list.insertBefore(item, item.previousElementSibling);
    } else if (op === "down" && item.nextElementSibling) {
      this.list.insertBefore(item.nextElementSibling, item);
    } else if (op === "remove") {
      var next = item.nextElementSibling || item.previousElementSibling;
      item.remove();
      this.refresh();
      var target = next && next.querySelector('[data-picker-move="remove"]');
      (target || this.search).focus();
      return;
    } else {
      return;
    }
    button.focus();
    this.refresh(false);
    var position = this.items().indexOf(item) + 1;
    this.say(name + " " + position + "/" + this.items().length);
  };

  Picker.prototype.wire = function () {
    var self = this;
    this.search.addEventListener("keydown", function (event) {
      var options = self.options();
      if (event.key === "ArrowDown") {
        event.preventDefault();
        self.setActive(self.active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        self.setActive(self.active - 1);
      } else if (event.key === "Enter") {
        event.preventDefault();
        if (self.active >= 0 && options[self.active]) self.add(options[self.active]);
        else if (options.length) self.add(options[0]);
        else if (window.htmx) window.htmx.trigger(self.search, "search");
      } else if (event.key === "Escape") {
        self.results.innerHTML = "";
        self.prepareResults();
      }
    });
    this.results.addEventListener("click", function (event) {
      var option = event.target.closest("[data-picker-result]");
      if (!option) return;
      event.preventDefault();
      self.add(option);
    });
    this.list.addEventListener("click", function (event) {
      var button = event.target.closest("[data-picker-move]");
      if (!button) return;
      event.preventDefault();
      self.move(button.closest("[data-picker-item]"), button.dataset.pickerMove, button);
    });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target === self.results) self.prepareResults();
    });
    // The inline form came back with errors: to the first field in error.
    document.body.addEventListener("htmx:afterSettle", function (event) {
      var form = event.detail.elt;
      if (!form || !form.matches || !form.matches("[data-picker-new]") || !form.isConnected) return;
      var field = form.querySelector(".has-error input, .has-error select");
      if (field) field.focus();
    });
    document.body.addEventListener("picker-person-added", function (event) {
      var form = self.root.querySelector("[data-picker-new]");
      if (form) form.reset();
      self.refresh();
      var id = event.detail && event.detail.id;
      var item = id && self.list.querySelector('[data-picker-item][data-id="' + id + '"]');
      if (item) item.focus();
    });
  };

  ready(function () {
    document.querySelectorAll("[data-picker]").forEach(function (root) {
      if (!root.dataset.pickerWired) {
        root.dataset.pickerWired = "1";
        root.picker = new Picker(root);
      }
    });
  });
})();
