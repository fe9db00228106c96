// The debtor's pay page: mount Stripe's card element and confirm the payment intent.
// A static file rather than an inline script, so the Content-Security-Policy needs no 'unsafe-inline'.
(function () {
  const form = document.getElementById("pay-form");
  if (!form || typeof Stripe === "undefined") {
    return;
  }
  const stripe = Stripe(form.dataset.key);
  const card = stripe.elements().create("card");
  card.mount("#card-element");
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const button = document.getElementById("pay-button");
    const box = document.getElementById("pay-error");
    button.disabled = true;
    const result = await stripe.confirmCardPayment(form.dataset.secret, {payment_method: {card: card}});
    if (result.error) {
      box.textContent = result.error.message || "The payment did not go through.";
      box.hidden = false;
      button.disabled = false;
    } else {
      window.location.assign(form.dataset.done);
    }
  });
})();
