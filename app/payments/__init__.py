"""Payments: manual and Stripe card payments, refunds, webhooks, commission and auto-settlement."""
