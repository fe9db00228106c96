"""Configuration: production refuses to start without its secrets; the embedded default makes its own."""

import json

import pytest

from app.config import Config, ConfigError

PRODUCTION = {
    "DATABASE_URL": "postgresql://db/debtflow",
    "SECRET_KEY": "s3cret",
    "REDIS_URL": "redis://cache:6379/0",
    "DEBTFLOW_ENCRYPTION_KEYS": "k1, k2",
    "DEBTFLOW_AUDIT_KEY": "audit-key",
    "DEBTFLOW_METRICS_TOKEN": "metrics-token",
}


@pytest.mark.parametrize("missing", sorted(set(PRODUCTION) - {"DATABASE_URL"}))
def test_production_fails_fast_without_a_secret(monkeypatch, tmp_path, missing):
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv(missing)
    with pytest.raises(ConfigError, match=missing):
        Config.from_env(tmp_path)


def test_production_settings_come_from_the_environment(monkeypatch, tmp_path):
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    values = Config.from_env(tmp_path)
    assert values["EMBEDDED"] is False and values["SESSION_COOKIE_SECURE"] is True
    assert values["ENCRYPTION_KEYS"] == ["k1", "k2"]
    assert not (tmp_path / "secrets.json").exists()
    assert values["DATABASE_PREPARED_STATEMENTS"] is True


def test_prepared_statements_can_be_turned_off_for_a_transaction_pooler(monkeypatch, tmp_path):
    for name, value in {**PRODUCTION, "DATABASE_PREPARED_STATEMENTS": "false"}.items():
        monkeypatch.setenv(name, value)
    assert Config.from_env(tmp_path)["DATABASE_PREPARED_STATEMENTS"] is False


def test_embedded_mode_generates_and_keeps_its_secrets(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    first = Config.from_env(tmp_path)
    second = Config.from_env(tmp_path)
    assert first["SECRET_KEY"] == second["SECRET_KEY"] and len(first["SECRET_KEY"]) == 64
    assert first["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///") and first["SESSION_COOKIE_SECURE"] is False
    stored = json.loads((tmp_path / "secrets.json").read_text())
    assert first["ENCRYPTION_KEYS"] == [stored["ENCRYPTION_KEY"]]
    assert first["AUDIT_KEY"] == stored["AUDIT_KEY"] and len(stored["AUDIT_KEY"]) == 64
    assert (tmp_path / "secrets.json").stat().st_mode & 0o077 == 0


def test_production_names_the_session_cookie_with_the_host_prefix(monkeypatch, tmp_path):
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    values = Config.from_env(tmp_path)
    assert values["SESSION_COOKIE_NAME"] == "__Host-session" and values["SESSION_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_PATH"] == "/" and values["SESSION_COOKIE_DOMAIN"] is None


def test_the_embedded_default_keeps_a_plain_session_cookie_over_http(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    values = Config.from_env(tmp_path)
    assert values["SESSION_COOKIE_SECURE"] is False and "SESSION_COOKIE_NAME" not in values  # Flask's "session"


def test_an_older_secrets_file_gains_the_audit_key_and_keeps_the_rest(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    (tmp_path / "secrets.json").write_text(json.dumps({"SECRET_KEY": "kept", "ENCRYPTION_KEY": "also-kept"}))
    values = Config.from_env(tmp_path)
    stored = json.loads((tmp_path / "secrets.json").read_text())
    assert values["SECRET_KEY"] == "kept" and values["ENCRYPTION_KEYS"] == ["also-kept"]
    assert values["AUDIT_KEY"] == stored["AUDIT_KEY"] and len(values["AUDIT_KEY"]) == 64
