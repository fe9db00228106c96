"""collector change set: an accounts UPDATE finds the accounts whose collector changed without joining its
transition tables

The statement trigger of 0006 joined ``new_rows`` to ``old_rows`` on ``id``. Transition tables have no index, so
that join is a hash join or a nested loop; the importer turns hash and merge joins off for its batches (each of
its own joins must be an index look-up), and the trigger's query ran under the same settings: every batch of
5,000 changed accounts compared 25 million row pairs (3.4 s a batch; a re-import changing the amount of 50,000
accounts took 41 s, 36 s of it here). ``EXCEPT`` of the two (id, collector) sets gives the same ids (a row is
updated at most once per statement, and ``EXCEPT`` treats NULLs as equal, as ``IS DISTINCT FROM`` does) by
hashing or sorting, whatever the join settings. PostgreSQL only: SQLite has no such triggers.

Revision ID: 0011_collector_change_set
Revises: 0010_status_index_entries
Create Date: 2026-12-03 09:10:00

"""

from alembic import op

revision = "0011_collector_change_set"
down_revision = "0010_status_index_entries"
branch_labels = None
depends_on = None

CHANGED = (
    "SELECT id FROM (SELECT id, assigned_collector_id FROM new_rows"
    " EXCEPT SELECT id, assigned_collector_id FROM old_rows) changed"
)
JOINED = (
    "SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id"
    " WHERE n.assigned_collector_id IS DISTINCT FROM o.assigned_collector_id"
)


def _body(ids: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE OR REPLACE FUNCTION accounts_collectors_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"PERFORM collector_facts_refresh('{{settled}}', ARRAY({ids})); RETURN NULL; END $$"
    )


def upgrade():
    _body(CHANGED)


def downgrade():
    _body(JOINED)
