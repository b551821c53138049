// Card payment on the debtor page: Stripe.js collects the card (a SetupIntent), then our
// server charges it; the payment is recorded when Stripe's webhook confirms it.
(function () {
  var form = document.getElementById("card-form");
  if (!form || typeof Stripe === "undefined") {
    return;
  }
  var stripe = Stripe(form.dataset.publishableKey);
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  var error = document.getElementById("card-error");
  var button = document.getElementById("card-pay");

  function post(url, data) {
    var body = new URLSearchParams(data || {});
    return fetch(url, {
      method: "POST",
      headers: { "X-CSRFToken": form.dataset.csrf },
      body: body,
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().then(function (json) {
        if (!response.ok) {
          throw new Error(json.error || response.statusText);
        }
        return json;
      });
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    error.textContent = "";
    button.disabled = true;
    var label = button.textContent;
    button.textContent = form.dataset.busy;
    var installments = document.getElementById("card-installments");
    post(form.dataset.setupUrl, {
      amount: document.getElementById("card-amount").value,
      installments: installments ? installments.value : "1",
    })
      .then(function (setup) {
        return stripe.confirmCardSetup(setup.client_secret, { payment_method: { card: card } });
      })
      .then(function (result) {
        if (result.error) {
          throw new Error(result.error.message);
        }
        return post(form.dataset.chargeUrl);
      })
      .then(function (charged) {
        window.location.assign(charged.next);
      })
      .catch(function (failure) {
        error.textContent = failure.message;
        button.disabled = false;
        button.textContent = label;
      });
  });
})();
