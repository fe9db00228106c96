"""The declined-charge email runs against localstripe, with the payment tests' fixtures."""

from tests.payments.conftest import localstripe_url, stripe_client, stripe_config  # noqa: F401
