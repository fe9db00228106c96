// Saving a card for autopay: mount Stripe's card element and confirm the SetupIntent; Stripe keeps the card.
// A static file rather than an inline script, so the Content-Security-Policy needs no 'unsafe-inline'.
(function () {
  const form = document.getElementById("card-setup-form");
  if (!form || typeof Stripe === "undefined") {
    return;
  }
  const stripe = Stripe(form.dataset.key);
  const card = stripe.elements().create("card");
  card.mount("#card-element");
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const button = document.getElementById("card-setup-button");
    const box = document.getElementById("card-setup-error");
    button.disabled = true;
    const result = await stripe.confirmCardSetup(form.dataset.secret, {payment_method: {card: card}});
    if (result.error) {
      box.textContent = result.error.message || "The card was not saved.";
      box.hidden = false;
      button.disabled = false;
    } else {
      const done = new URL(form.dataset.done);
      done.searchParams.set("setup_intent", result.setupIntent.id);
      window.location.assign(done.toString());
    }
  });
})();
