// Confirm destructive actions: any form with data-confirm asks first.
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

// A print button (no inline handlers: the CSP will forbid them).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

// A submit button that asks first (when only one of a form's buttons is destructive).
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-confirm-button]");
  if (button && !window.confirm(button.getAttribute("data-confirm-button"))) {
    event.preventDefault();
  }
});
