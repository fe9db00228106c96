"""The migrations build the schema from empty, match the models exactly, and downgrade cleanly."""

import pytest
from flask_migrate import check, downgrade, upgrade
from sqlalchemy import inspect

from app import create_app
from app.config import test_config as make_test_config
from tests.conftest import own_database


@pytest.fixture
def empty_database(tmp_path):
    with own_database(tmp_path, "fresh") as url:
        yield url


def test_upgrade_from_empty_matches_models_and_downgrades(empty_database):
    from app.extensions import db

    app = create_app(make_test_config(empty_database))
    with app.app_context():
        upgrade()
        check()  # raises (SystemExit) when the models and the migrated schema differ
        assert {"accounts", "audit_events", "debtors", "users"} <= set(inspect(db.engine).get_table_names())
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
