// Repeatable rows (invoices, uploads) and the debtor choice on the creditor's forms.
// Without JavaScript the form still works with the rows the server rendered.
(function () {
  "use strict";

  function rowsOf(container) {
    return container.querySelector("[data-rows-body]").querySelectorAll("[data-row]");
  }

  function addRow(container) {
    var template = container.querySelector("template[data-row-template]");
    var index = parseInt(container.getAttribute("data-next-index"), 10) || 0;
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__index__/g, String(index));
    var row = holder.firstElementChild;
    container.querySelector("[data-rows-body]").appendChild(row);
    container.setAttribute("data-next-index", String(index + 1));
    var first = row.querySelector("input, select");
    if (first) {
      first.focus();
    }
  }

  function clearRow(row) {
    row.querySelectorAll("input").forEach(function (input) {
      input.value = "";
    });
    row.querySelectorAll(".is-invalid").forEach(function (el) {
      el.classList.remove("is-invalid");
    });
    row.querySelectorAll(".invalid-feedback, [data-testid=reselect-file]").forEach(function (el) {
      el.remove();
    });
  }

  function removeRow(button) {
    var container = button.closest("[data-rows]");
    var row = button.closest("[data-row]");
    // Keep one row: a form always has at least one invoice line and one file slot.
    if (rowsOf(container).length > 1) {
      row.remove();
    } else {
      clearRow(row);
    }
  }

  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) {
      addRow(add.closest("[data-rows]"));
      return;
    }
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      removeRow(remove);
    }
  });

  function showDebtorSection(root) {
    var checked = root.querySelector("input[name=debtor_mode]:checked");
    var mode = checked ? checked.value : "new";
    root.querySelectorAll("[data-debtor-section]").forEach(function (section) {
      section.hidden = section.getAttribute("data-debtor-section") !== mode;
    });
  }

  document.querySelectorAll("[data-debtor-mode-root]").forEach(function (root) {
    if (!root.querySelector("input[name=debtor_mode][type=radio]")) {
      return;
    }
    showDebtorSection(root);
    root.addEventListener("change", function (event) {
      if (event.target.name === "debtor_mode") {
        showDebtorSection(root);
      }
    });
  });
})();
