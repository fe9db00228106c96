"""/ready fails naming each dependency that is down, and recovers when it is back."""

import os

from flask_migrate import upgrade

from app import create_app
from app.config import test_config as make_test_config
from app.extensions import db
from tests.conftest import session_on
from tests.imports.sftp_server import free_port


def ready(client) -> tuple[int, dict]:
    response = client.get("/ready")
    return response.status_code, response.json


def test_database_then_migrations_fail_and_recover(tmp_path):
    """A second app on a database of its own (its sessions really commit, unlike the suite's)."""
    home = tmp_path / "not-yet"
    app = create_app({**make_test_config(f"sqlite:///{home / 'ready.db'}"), "REDIS_URL": ""})
    client = app.test_client()
    with app.app_context(), session_on(db.engine):
        status, body = ready(client)
        assert status == 503 and body["database"] == "down" and "database" in body["down"]

        home.mkdir()  # the database can be opened, but it holds no schema yet
        status, body = ready(client)
        assert status == 503 and body["database"] == "up" and body["down"] == "migrations"

        db.session.remove()  # the probe's read transaction would hold SQLite's lock against the migration
        upgrade()
        status, body = ready(client)
        assert status == 200 and body["status"] == "ok" and body["migrations"] == "up"


def test_redis_fails_and_recovers(app, client, monkeypatch):
    configured = app.config["REDIS_URL"]
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    status, body = ready(client)
    assert status == 503 and body["down"] == "redis" and body["database"] == "up"

    app.config["REDIS_URL"] = configured  # back (or none, in the embedded mode: then not checked)
    status, body = ready(client)
    assert status == 200 and body.get("redis") == ("up" if configured else None)


def test_storage_fails_and_recovers(app, client, monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setitem(app.config, "IMPORT_STORAGE_DIR", str(blocker / "imports"))
    status, body = ready(client)
    assert status == 503 and body["down"] == "storage"

    app.config["IMPORT_STORAGE_DIR"] = str(tmp_path / "imports")
    status, body = ready(client)
    assert status == 200 and body["storage"] == "up"
    assert os.listdir(tmp_path / "imports") == []  # the probe leaves nothing behind
