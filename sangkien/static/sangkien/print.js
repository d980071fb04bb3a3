// A button marked data-print opens the browser's print dialog (no inline handlers: the
// Content-Security-Policy runs only scripts from the site's own files).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});
