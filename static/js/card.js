// Card entry with Stripe's card element, for a payment (the pay pages: #pay-form) or for a card saved for
// autopay (a SetupIntent: #card-setup-form); Stripe keeps the card. A static file rather than an inline script,
// so the Content-Security-Policy needs no 'unsafe-inline'.
(function () {
  const kinds = {
    "pay": {
      confirm: (stripe, secret, card) => stripe.confirmCardPayment(secret, {payment_method: {card: card}}),
      failed: "The payment did not go through.",
      next: (done) => done,
    },
    "card-setup": {
      confirm: (stripe, secret, card) => stripe.confirmCardSetup(secret, {payment_method: {card: card}}),
      failed: "The card was not saved.",
      next: function (done, result) {
        const url = new URL(done);
        url.searchParams.set("setup_intent", result.setupIntent.id);
        return url.toString();
      },
    },
  };
  const name = Object.keys(kinds).find((key) => document.getElementById(key + "-form"));
  if (!name || typeof Stripe === "undefined") {
    return;
  }
  const kind = kinds[name];
  const form = document.getElementById(name + "-form");
  const stripe = Stripe(form.dataset.key);
  const card = stripe.elements().create("card");
  card.mount("#card-element");
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const button = document.getElementById(name + "-button");
    const box = document.getElementById(name + "-error");
    button.disabled = true;
    const result = await kind.confirm(stripe, form.dataset.secret, card);
    if (result.error) {
      box.textContent = result.error.message || kind.failed;
      box.hidden = false;
      button.disabled = false;
    } else {
      window.location.assign(kind.next(form.dataset.done, result));
    }
  });
})();
