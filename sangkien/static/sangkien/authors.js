/* Sáng kiến — co-authors by name.
 *
 * While a name is typed in an author row, the members of the union with that name (tone
 * marks and đ ignored) are listed under it (GET data-lookup-url, the server's own escaped
 * HTML); choosing one puts their member code in the row. Without this script, saving the
 * form asks the same question (a name that members have is never kept as "outside the
 * system" silently). Plain script, no inline code. */
(function () {
  "use strict";

  var rows = document.getElementById("author-rows");
  if (!rows || !window.fetch) return;
  var base = rows.getAttribute("data-lookup-url");
  if (!base) return;
  var timers = new WeakMap();

  function field(row, suffix) {
    return row.querySelector('input[name$="-' + suffix + '"]');
  }

  function lookup(row, text) {
    var box = row.querySelector("[data-author-suggestions]");
    if (!box) return;
    if (text.trim().length < 2) {
      box.innerHTML = "";
      return;
    }
    var url = base + (base.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(text);
    var unit = document.getElementById("id_unit");
    if (unit && unit.value && base.indexOf("?") < 0) {
      url += "&unit=" + encodeURIComponent(unit.value);
    }
    fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) {
        return response.ok ? response.text() : "";
      })
      .then(function (html) {
        var name = field(row, "name");
        if (name && name.value === text) box.innerHTML = html;
      })
      .catch(function () {});
  }

  rows.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.name || !/-name$/.test(input.name)) return;
    var row = input.closest("[data-author-row]");
    if (!row) return;
    clearTimeout(timers.get(row));
    timers.set(row, setTimeout(function () { lookup(row, input.value); }, 300));
  });

  rows.addEventListener("click", function (event) {
    var button = event.target.closest("[data-pick-member]");
    if (!button) return;
    var row = button.closest("[data-author-row]");
    var member = field(row, "member");
    var name = field(row, "name");
    if (member) member.value = button.getAttribute("data-pick-member");
    if (name) name.value = "";
    [member, name].forEach(function (input) {
      if (input) input.dispatchEvent(new Event("input", { bubbles: true }));
    });
    row.querySelector("[data-author-suggestions]").innerHTML = "";
    if (member) member.focus();
  });
})();
