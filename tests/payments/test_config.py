"""Stripe settings: off without a secret key, never a default key, and never half-configured."""

import pytest

from app.config import Config, ConfigError

STRIPE_VARS = (
    "STRIPE_SECRET_KEY",
    "STRIPE_PUBLISHABLE_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_API_BASE",
    "STRIPE_JS_URL",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in STRIPE_VARS + ("DATABASE_URL",):
        monkeypatch.delenv(name, raising=False)


def test_without_a_secret_key_card_payments_are_off_with_no_default_key(tmp_path):
    values = Config.from_env(tmp_path)
    assert values["STRIPE_SECRET_KEY"] == "" and values["STRIPE_API_BASE"] == "https://api.stripe.com"
    assert values["STRIPE_JS_URL"] == "https://js.stripe.com/v3/"


@pytest.mark.parametrize("missing", ["STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET"])
def test_a_secret_key_without_its_companions_stops_start_up(monkeypatch, tmp_path, missing):
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_live_x")
    monkeypatch.setenv("STRIPE_PUBLISHABLE_KEY", "pk_live_x")
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_x")
    monkeypatch.delenv(missing)
    with pytest.raises(ConfigError, match=missing):
        Config.from_env(tmp_path)


def test_api_base_and_js_url_point_at_localstripe_when_asked(monkeypatch, tmp_path):
    monkeypatch.setenv("STRIPE_API_BASE", "http://127.0.0.1:8420")
    monkeypatch.setenv("STRIPE_JS_URL", "http://127.0.0.1:8420/js.stripe.com/v3/")
    values = Config.from_env(tmp_path)
    assert values["STRIPE_API_BASE"] == "http://127.0.0.1:8420" and values["STRIPE_JS_URL"].endswith("/v3/")
