"""collector performance rollups: per-account facts, their counts per day, payments per collector and day

Revision ID: 0006_collector_rollups
Revises: 0005_import_batches
Create Date: 2026-11-28 01:45:00

On PostgreSQL, statement-level triggers with transition tables keep them exact (as in 0004): a statement's
touched accounts have their facts recomputed (``collector_facts_refresh``), and payments add their delta to
``collector_payment_days``. Account INSERTs fire nothing; an account UPDATE only looks for a changed collector.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_collector_rollups"
down_revision = "0005_import_batches"
branch_labels = None
depends_on = None

KINDS = "'{note,paid,assigned,settled}'"
PAID = (
    "p.status IN ('completed', 'partially_refunded', 'refunded') AND p.amount > p.refunded_amount"
    " AND p.collector_id IS NOT NULL AND p.completed_at IS NOT NULL"
)
# Every event of the given kinds on the given accounts: (agency, kind, collector, account, time).
EVENTS = f"""
SELECT v.agency_id, 'note'::varchar AS kind, v.actor_id AS collector_id, v.account_id, v.created_at AS at
FROM activities v WHERE 'note' = ANY(kinds) AND v.account_id = ANY(ids) AND v.kind = 'note' AND v.actor_id IS NOT NULL
UNION ALL
SELECT v.agency_id, 'assigned', (v.details ->> 'new')::integer, v.account_id, v.created_at FROM activities v
WHERE 'assigned' = ANY(kinds) AND v.account_id = ANY(ids) AND v.kind = 'assignment' AND v.details ->> 'new' IS NOT NULL
UNION ALL
SELECT v.agency_id, 'settled', a.assigned_collector_id, v.account_id, v.created_at
FROM activities v JOIN accounts a ON a.id = v.account_id
WHERE 'settled' = ANY(kinds) AND v.account_id = ANY(ids) AND v.kind = 'status_change'
  AND v.details ->> 'new' = 'settled' AND a.assigned_collector_id IS NOT NULL
UNION ALL
SELECT p.agency_id, 'paid', p.collector_id, p.account_id, p.completed_at FROM payments p
WHERE 'paid' = ANY(kinds) AND p.account_id = ANY(ids) AND {PAID}"""
FACTS = f"""
CREATE FUNCTION collector_facts(kinds text[], ids integer[]) RETURNS SETOF collector_account_days
LANGUAGE sql STABLE AS $$
WITH days AS (
  SELECT e.agency_id, e.kind, e.collector_id, e.account_id, g.timezone AS tz,
         (e.at AT TIME ZONE g.timezone)::date AS day, min(e.at) AS at,
         lag((e.at AT TIME ZONE g.timezone)::date) OVER (PARTITION BY e.kind, e.collector_id, e.account_id
                                                         ORDER BY (e.at AT TIME ZONE g.timezone)::date) AS prev_day
  FROM ({EVENTS}) e JOIN agencies g ON g.id = e.agency_id GROUP BY 1, 2, 3, 4, 5, 6
)
SELECT account_id, kind, collector_id, day, agency_id, coalesce(prev_day, DATE '0001-01-01'), DATE '9999-12-31', 0
FROM days WHERE kind <> 'assigned'
UNION ALL
SELECT d.account_id, d.kind, d.collector_id, d.day, d.agency_id, coalesce(d.prev_day, DATE '0001-01-01'),
       coalesce((f.at AT TIME ZONE d.tz)::date, DATE '9999-12-31'), coalesce(extract(epoch FROM f.at - d.at), 0)
FROM days d LEFT JOIN LATERAL (  -- the first payment to that collector after the assignment
  SELECT min(p.completed_at) AS at FROM payments p
  WHERE p.account_id = d.account_id AND p.collector_id = d.collector_id AND {PAID} AND p.completed_at >= d.at
) f ON true WHERE d.kind = 'assigned'
$$"""
COUNT_UPSERT = """
INSERT INTO collector_day_counts AS t (agency_id, day, collector_id, kind, prev_day, done_day, accounts, seconds)
SELECT agency_id, day, collector_id, kind, prev_day, done_day, {sign} count(*), {sign} sum(seconds) FROM {rows}
GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
ON CONFLICT (agency_id, day, collector_id, kind, prev_day, done_day) DO UPDATE
SET accounts = t.accounts + EXCLUDED.accounts, seconds = t.seconds + EXCLUDED.seconds"""
# Recompute the facts of these accounts: take their old rows out of the counts, put the new ones in.
# Small sets lock their accounts first, so two writers of one account apply their changes one after the other.
REFRESH = f"""
CREATE FUNCTION collector_facts_refresh(kinds text[], ids integer[]) RETURNS void LANGUAGE plpgsql
SET plan_cache_mode = force_custom_plan AS $$ BEGIN
  IF coalesce(cardinality(ids), 0) = 0 THEN RETURN; END IF;
  IF cardinality(ids) <= 10000 THEN
    PERFORM 1 FROM accounts WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE;
  END IF;
  WITH gone AS (DELETE FROM collector_account_days f WHERE f.account_id = ANY(ids) AND f.kind = ANY(kinds)
                RETURNING f.*)
  {COUNT_UPSERT.format(sign="-", rows="gone")};
  WITH added AS (INSERT INTO collector_account_days SELECT * FROM collector_facts(kinds, ids) RETURNING *)
  {COUNT_UPSERT.format(sign="", rows="added")};
END $$"""
MONEY_ROWS = (
    "SELECT r.agency_id, (r.completed_at AT TIME ZONE a.timezone)::date AS day, r.collector_id,"
    " {sign} (r.amount - r.refunded_amount) AS net, {sign} (r.commission_amount - r.commission_reversed) AS c"
    " FROM {rows} r JOIN agencies a ON a.id = r.agency_id WHERE r.status IN ('completed', 'partially_refunded',"
    " 'refunded') AND r.completed_at IS NOT NULL AND r.collector_id IS NOT NULL"
)
MONEY_UPSERT = """
INSERT INTO collector_payment_days AS t (agency_id, day, collector_id, net, commission)
SELECT agency_id, day, collector_id, sum(net), sum(c) FROM ({rows}) d GROUP BY 1, 2, 3
HAVING sum(net) <> 0 OR sum(c) <> 0 ORDER BY 1, 2, 3
ON CONFLICT (agency_id, day, collector_id) DO UPDATE
SET net = t.net + EXCLUDED.net, commission = t.commission + EXCLUDED.commission"""
REBUILD = f"""
CREATE FUNCTION collector_rollups_rebuild(agency integer) RETURNS void LANGUAGE plpgsql AS $$ BEGIN
  DELETE FROM collector_payment_days WHERE agency_id = agency;
  {MONEY_UPSERT.format(rows=MONEY_ROWS.format(sign="", rows="(SELECT * FROM payments WHERE agency_id = agency)"))};
  PERFORM collector_facts_refresh({KINDS}, ARRAY(SELECT id FROM accounts WHERE agency_id = agency));
END $$"""
TABLES = {"insert": ("new_rows",), "update": ("new_rows", "old_rows"), "delete": ("old_rows",)}


def _rows(tables: tuple[str, ...], columns: str = "*") -> str:
    return " UNION ALL ".join(f"SELECT {columns} FROM {t}" for t in tables)


def _payments_body(tables) -> str:
    money = " UNION ALL ".join(MONEY_ROWS.format(sign="" if t == "new_rows" else "-", rows=t) for t in tables)
    ids = f"ARRAY(SELECT DISTINCT account_id FROM ({_rows(tables, 'account_id')}) r)"
    return f"PERFORM collector_facts_refresh('{{paid,assigned}}', {ids}); {MONEY_UPSERT.format(rows=money)};"


def _activities_body(tables) -> str:
    def ids(kind: str) -> str:
        return f"coalesce(array_agg(DISTINCT account_id) FILTER (WHERE kind = '{kind}'), '{{}}')"

    return (
        "DECLARE n integer[]; a integer[]; s integer[]; BEGIN "
        f"SELECT {ids('note')}, {ids('assignment')}, {ids('status_change')} INTO n, a, s "
        f"FROM ({_rows(tables, 'account_id, kind')}) r WHERE kind IN ('note', 'assignment', 'status_change'); "
        "PERFORM collector_facts_refresh('{note}', n); PERFORM collector_facts_refresh('{assigned}', a); "
        "PERFORM collector_facts_refresh('{settled}', s);"
    )


ACCOUNTS_UPDATE = (
    "PERFORM collector_facts_refresh('{settled}', ARRAY(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id"
    " WHERE n.assigned_collector_id IS DISTINCT FROM o.assigned_collector_id));"
)
# (trigger name, table, event, body): a body may open with its own DECLARE … BEGIN.
TRIGGERS = [
    *((f"payments_collectors_{e}", "payments", e, _payments_body(t)) for e, t in TABLES.items()),
    *((f"activities_collectors_{e}", "activities", e, _activities_body(t)) for e, t in TABLES.items()),
    ("accounts_collectors_update", "accounts", "update", ACCOUNTS_UPDATE),
]


def _create_triggers() -> None:
    op.execute(FACTS)
    op.execute(REFRESH)
    op.execute(REBUILD)
    for name, table, event, body in TRIGGERS:
        body = body if body.startswith("DECLARE") else f"BEGIN {body}"
        op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ {body} RETURN NULL; END $$")
        refs = " ".join(f"{'NEW' if t == 'new_rows' else 'OLD'} TABLE AS {t}" for t in TABLES[event])
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table} REFERENCING {refs} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
    op.execute("SELECT collector_rollups_rebuild(id) FROM agencies ORDER BY id")  # backfill


def _agency_fk(table: str):
    return sa.ForeignKey("agencies.id", name=f"fk_{table}_agency_id_agencies")


def upgrade():
    # A collector's first payment on an account after an assignment (rollups and the live figures alike).
    op.create_index(
        "ix_payments_account_collector_completed", "payments", ["account_id", "collector_id", "completed_at"]
    )
    op.create_table(
        "collector_account_days",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("collector_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("prev_day", sa.Date(), nullable=False),
        sa.Column("done_day", sa.Date(), nullable=False),
        sa.Column("seconds", sa.Numeric(20, 6), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "kind", "collector_id", "day", name="pk_collector_account_days"),
    )
    op.create_table(
        "collector_day_counts",
        sa.Column("agency_id", sa.Integer(), _agency_fk("collector_day_counts"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("collector_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("prev_day", sa.Date(), nullable=False),
        sa.Column("done_day", sa.Date(), nullable=False),
        sa.Column("accounts", sa.BigInteger(), nullable=False),
        sa.Column("seconds", sa.Numeric(20, 6), nullable=False),
        sa.PrimaryKeyConstraint(
            "agency_id", "day", "collector_id", "kind", "prev_day", "done_day", name="pk_collector_day_counts"
        ),
    )
    op.create_table(
        "collector_payment_days",
        sa.Column("agency_id", sa.Integer(), _agency_fk("collector_payment_days"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("collector_id", sa.Integer(), nullable=False),
        sa.Column("net", sa.Numeric(16, 2), nullable=False),
        sa.Column("commission", sa.Numeric(16, 2), nullable=False),
        sa.PrimaryKeyConstraint("agency_id", "day", "collector_id", name="pk_collector_payment_days"),
    )
    if op.get_bind().dialect.name == "postgresql":
        _create_triggers()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name, table, _event, _body in TRIGGERS:
            op.execute(f"DROP TRIGGER {name} ON {table}")
            op.execute(f"DROP FUNCTION {name}()")
        op.execute("DROP FUNCTION collector_rollups_rebuild(integer)")
        op.execute("DROP FUNCTION collector_facts_refresh(text[], integer[])")
        op.execute("DROP FUNCTION collector_facts(text[], integer[])")
    op.drop_table("collector_payment_days")
    op.drop_table("collector_day_counts")
    op.drop_table("collector_account_days")
    op.drop_index("ix_payments_account_collector_completed", table_name="payments")
