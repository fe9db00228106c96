"""Payment use cases, one module each: record (manual), stripe_payments (card), refunds, webhooks, reconcile.

``ledger`` holds the private steps they share (apply a payment or a refund to the balance); ``breaker`` and
``stripe_api`` wrap every call to Stripe.
"""
