/* Sáng kiến — drafts kept on this device.
 *
 * A form marked data-draft="KEY" is copied into localStorage on every input, so nothing
 * typed is lost when a phone drops the connection or the page is closed. When the page opens
 * again with a copy that differs from what the page shows, the copy is put back and the
 * notice [data-draft-notice] is shown; its [data-draft-discard] button puts the page's own
 * values back and forgets the copy. A page that follows a successful save names the keys to
 * forget in data-drafts-clear="KEY KEY".
 *
 * Formset rows: a container [data-formset=PREFIX] with a <template> holding a row whose
 * names contain __prefix__; rows missing for a restored copy are made from it.
 *
 * Plain script, no libraries; works with or without htmx. Files are never stored. */
(function () {
  "use strict";

  var PREFIX = "sangkien:draft:";
  var MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;
  var SKIP_NAMES = { csrfmiddlewaretoken: true, version: true, action: true, add_author: true };
  var SKIP_TYPES = { file: true, submit: true, button: true, reset: true, password: true, image: true };

  function openStorage() {
    try {
      var s = window.localStorage;
      var probe = PREFIX + "probe";
      s.setItem(probe, "1");
      s.removeItem(probe);
      return s;
    } catch (e) {
      return null; // private mode, storage full or disabled: the server draft remains
    }
  }

  var store = openStorage();
  if (!store) { return; }

  function forget(key) {
    try { store.removeItem(PREFIX + key); } catch (e) { /* nothing to do */ }
  }

  function forgetAnnounced(root) {
    var marked = root.querySelectorAll("[data-drafts-clear]");
    for (var i = 0; i < marked.length; i++) {
      var keys = (marked[i].getAttribute("data-drafts-clear") || "").split(/\s+/);
      for (var j = 0; j < keys.length; j++) {
        if (keys[j]) { forget(keys[j]); }
      }
    }
  }

  function fieldsOf(form) {
    var out = [];
    for (var i = 0; i < form.elements.length; i++) {
      var el = form.elements[i];
      if (!el.name || SKIP_NAMES[el.name] || SKIP_TYPES[el.type] || el.hasAttribute("data-draft-skip")) {
        continue;
      }
      out.push(el);
    }
    return out;
  }

  function read(form) {
    var values = {};
    fieldsOf(form).forEach(function (el) {
      if (el.type === "radio") {
        if (el.checked) { values[el.name] = el.value; }
        else if (!(el.name in values)) { values[el.name] = ""; }
      } else if (el.type === "checkbox") {
        values[el.name] = el.checked;
      } else if (el.tagName === "SELECT" && el.multiple) {
        values[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else {
        values[el.name] = el.value;
      }
    });
    return values;
  }

  function same(a, b) {
    if (Array.isArray(a) || Array.isArray(b)) { return JSON.stringify(a) === JSON.stringify(b); }
    return a === b;
  }

  function write(form, values) {
    fieldsOf(form).forEach(function (el) {
      if (!(el.name in values)) { return; }
      var v = values[el.name];
      if (el.type === "radio") { el.checked = el.value === v; }
      else if (el.type === "checkbox") { el.checked = !!v; }
      else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = v.indexOf(o.value) >= 0; });
      } else if (el.tagName === "SELECT") {
        // Only a value the list still offers.
        if (Array.prototype.some.call(el.options, function (o) { return o.value === v; })) { el.value = v; }
      } else {
        el.value = v;
      }
    });
  }

  // Rows a restored copy needs but the page does not show: made from the row <template>.
  function addRows(form, values) {
    var added = [];
    var containers = form.querySelectorAll("[data-formset]");
    for (var i = 0; i < containers.length; i++) {
      var box = containers[i];
      var prefix = box.getAttribute("data-formset");
      var total = form.querySelector("[name='" + prefix + "-TOTAL_FORMS']");
      var template = box.parentNode.querySelector("template");
      if (!total || !template) { continue; }
      var want = parseInt(values[prefix + "-TOTAL_FORMS"], 10) || 0;
      var have = parseInt(total.value, 10) || 0;
      var limit = parseInt((form.querySelector("[name='" + prefix + "-MAX_NUM_FORMS']") || {}).value, 10) || 50;
      for (var n = have; n < Math.min(want, limit); n++) {
        var html = template.innerHTML.replace(/__prefix__/g, String(n));
        var holder = document.createElement("div");
        holder.innerHTML = html;
        while (holder.firstChild) {
          var node = holder.firstChild;
          box.appendChild(node);
          if (node.nodeType === 1) { added.push(node); }
        }
      }
      if (want > have) {
        added.push({ total: total, was: total.value });
        total.value = String(Math.min(want, limit));
      }
    }
    return added;
  }

  function setUp(form) {
    var key = form.getAttribute("data-draft");
    if (!key) { return; }
    var storageKey = PREFIX + key;
    var notice = form.querySelector("[data-draft-notice]");
    var original = null;
    var added = [];

    function save() {
      try {
        store.setItem(storageKey, JSON.stringify({ at: Date.now(), values: read(form) }));
      } catch (e) { /* storage full: the server draft remains */ }
    }

    function restore() {
      var raw = store.getItem(storageKey);
      if (!raw) { return; }
      var saved;
      try { saved = JSON.parse(raw); } catch (e) { forget(key); return; }
      if (!saved || !saved.values || Date.now() - (saved.at || 0) > MAX_AGE_MS) { forget(key); return; }
      var before = read(form);
      var differs = Object.keys(saved.values).some(function (name) {
        return name in before ? !same(before[name], saved.values[name]) : saved.values[name] !== "" && saved.values[name] !== false;
      });
      if (!differs) { return; }
      original = before;
      added = addRows(form, saved.values);
      write(form, saved.values);
      if (notice) { notice.hidden = false; }
    }

    function discard() {
      forget(key);
      added.forEach(function (item) {
        if (item.total) { item.total.value = item.was; }
        else if (item.parentNode) { item.parentNode.removeChild(item); }
      });
      added = [];
      if (original) { write(form, original); }
      if (notice) { notice.hidden = true; }
    }

    forgetAnnounced(form);
    restore();
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    // Rows added by htmx: keep the copy in step with the row count.
    document.addEventListener("htmx:afterSettle", function (event) {
      if (form.contains(event.target)) { save(); }
    });
    if (notice) {
      var button = notice.querySelector("[data-draft-discard]");
      if (button) { button.addEventListener("click", discard); }
    }
  }

  function start() {
    forgetAnnounced(document);
    var forms = document.querySelectorAll("form[data-draft]");
    for (var i = 0; i < forms.length; i++) { setUp(forms[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
