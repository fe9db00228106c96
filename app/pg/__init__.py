"""What only PostgreSQL does, in one place: the driver's settings (``prepare``), the worklist's index set
(``indexes``) and plan steering (``worklist``), planner settings (``planner``) and row estimates
(``estimate``), SQL each database spells its own way (``sql``), the import's COPY path, the rollup triggers.
Domain packages state their rules once and call in here, passing their own tables and columns (this package
imports none of them); they don't branch on the dialect themselves.

SQLite, the embedded default, takes the portable path of each rule.
"""

from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def active(bind=None) -> bool:
    """Whether the session (or ``bind``) talks to PostgreSQL."""
    return (bind or db.session.get_bind()).dialect.name == "postgresql"


def insert(model):
    """The dialect's INSERT for ``model``, which knows ``on_conflict_do_nothing`` / ``on_conflict_do_update``."""
    return postgresql.insert(model) if active() else sqlite.insert(model)
