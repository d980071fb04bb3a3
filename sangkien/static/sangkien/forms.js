/* Sáng kiến — forms that help.
 *
 * When a page opens with an error summary [data-error-summary] (a form was refused), the
 * focus goes to the first field in error, so a keyboard or screen-reader user lands where
 * the first correction is and a phone scrolls to it; the summary above the form lists every
 * error with a link to its field (#id). Following a link focuses the field too (a radio
 * group: its first choice). Plain script, no inline code, nothing needed without it. */
(function () {
  "use strict";

  function focusable(target) {
    if (!target) return null;
    if (target.matches("input, select, textarea, button")) return target;
    return target.querySelector("input:not([type=hidden]), select, textarea");
  }

  function focusTarget(hash) {
    if (!hash || hash.length < 2) return false;
    var target = document.getElementById(decodeURIComponent(hash.slice(1)));
    var field = focusable(target);
    if (!field) return false;
    field.focus();
    if (field.scrollIntoView) field.scrollIntoView({ block: "center" });
    return true;
  }

  function firstError() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) return;
    var link = summary.querySelector("a[data-error-link]");
    if (link && focusTarget(link.getAttribute("href"))) return;
    var field = focusable(document.querySelector(".has-error"));
    if (field) {
      field.focus();
      return;
    }
    summary.focus();
  }

  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("a[data-error-link]") : null;
    if (link && focusTarget(link.getAttribute("href"))) event.preventDefault();
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", firstError);
  } else {
    firstError();
  }
  // A page reached at an anchor (a refused decision comes back at #decide) scrolls to it
  // after loading, and the browser then drops the focus: give it back once that is done.
  window.addEventListener("load", function () {
    window.setTimeout(function () {
      if (!document.activeElement || document.activeElement === document.body) firstError();
    }, 0);
  });
})();
