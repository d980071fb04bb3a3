/* Sáng kiến — the review queue's bulk decision.
 *
 * The form [data-bulk] holds the decision; the rows' boxes [data-bulk-row] (outside it, tied
 * to it by their form attribute) pick the initiatives. This script only helps: it says how
 * many are selected in [data-bulk-selected], ticks every row of the page from the box
 * [data-bulk-page], and greys out the rows' boxes while "every initiative of these filters"
 * [data-bulk-all] is ticked (the server then takes the whole filtered set). Everything works
 * without it. The results are replaced by htmx when the filters change, so the handlers are
 * on the document. Plain script, no libraries, no inline code. */
(function () {
  "use strict";

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-bulk-row]"));
  }

  function update() {
    var label = document.querySelector("[data-bulk-selected]");
    var all = document.querySelector("[data-bulk-all]");
    var boxes = rows();
    var everything = !!(all && all.checked);
    boxes.forEach(function (box) { box.disabled = everything; });
    var page = document.querySelector("[data-bulk-page]");
    if (page) {
      page.disabled = everything;
      page.checked = boxes.length > 0 && boxes.every(function (b) { return b.checked; });
    }
    if (!label) return;
    if (everything) {
      label.textContent = label.getAttribute("data-text-all") || "";
      return;
    }
    var n = boxes.filter(function (b) { return b.checked; }).length;
    label.textContent = (label.getAttribute("data-text") || "{count}").replace("{count}", String(n));
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLInputElement)) return;
    if (target.hasAttribute("data-bulk-page")) {
      rows().forEach(function (box) { box.checked = target.checked; });
    }
    if (target.hasAttribute("data-bulk-page") || target.hasAttribute("data-bulk-row") ||
        target.hasAttribute("data-bulk-all")) {
      update();
    }
  });
  document.addEventListener("htmx:afterSettle", update);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
})();
