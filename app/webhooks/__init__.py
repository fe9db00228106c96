"""Outbound webhooks: agencies' endpoints, the outbox of deliveries, signed delivery as RQ jobs."""
