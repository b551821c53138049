// Case page: show the promise fields only for a promise to pay, the outcome only when closing.
// The server validates either way; this only spares the agent fields that do not apply.
(function () {
  function toggle(select, targetId, shownFor) {
    var target = document.getElementById(targetId);
    if (!target) return;
    var update = function () {
      target.classList.toggle("d-none", select.value !== shownFor);
    };
    select.addEventListener("change", update);
    update();
  }

  document.querySelectorAll("[data-promise-toggle]").forEach(function (select) {
    toggle(select, select.getAttribute("data-promise-toggle"), "promise_to_pay");
  });

  document.querySelectorAll("[data-outcome-toggle]").forEach(function (select) {
    toggle(select, select.getAttribute("data-outcome-toggle"), "closed");
    // Closing is final: ask before sending, and only then.
    var form = select.form;
    var message = form.getAttribute("data-confirm-closing");
    var updateConfirm = function () {
      if (select.value === "closed") {
        form.setAttribute("data-confirm", message);
      } else {
        form.removeAttribute("data-confirm");
      }
    };
    select.addEventListener("change", updateConfirm);
    updateConfirm();
  });
})();
