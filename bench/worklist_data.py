"""Synthetic data for the worklist bench: one big agency of N accounts, a small second agency, set-based SQL.

The schema comes from the real migrations. Secondary indexes of ``accounts`` and ``debtors`` are dropped
before the bulk insert and rebuilt from their own ``pg_indexes`` definitions afterwards, which is much
faster than maintaining them row by row and leaves exactly the schema the migrations built.
"""

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy import make_url
from werkzeug.security import generate_password_hash

from bench.pgdb import create_database, drop_database, pg_connect

PASSWORD = "bench-password-42"
COLLECTORS = 20
SMALL_AGENCY_ACCOUNTS = 1000
PAGE_SAMPLE = 20  # accounts per viewer whose page the bench opens; they get a timeline
ACTIVITIES_PER_ACCOUNT = 30

FIRST_NAMES = (
    "james mary robert patricia john jennifer michael linda david elizabeth william barbara richard susan joseph "
    "jessica thomas sarah charles karen christopher lisa daniel nancy matthew betty anthony margaret mark sandra "
    "donald ashley steven kimberly paul emily andrew donna joshua michelle kenneth carol kevin amanda brian "
    "dorothy george melissa timothy deborah ronald stephanie edward rebecca jason sharon jeffrey laura ryan "
    "cynthia jacob kathleen gary amy nicholas angela eric shirley jonathan anna stephen brenda larry pamela "
    "justin emma scott nicole brandon helen benjamin samantha samuel katherine gregory christine alexander "
    "debra frank rachel patrick carolyn raymond janet jack catherine dennis maria jerry heather tyler diane"
).split()
# Most frequent first: the loader draws them with a skew, so "smith" is common and the tail is rare.
SURNAMES = (
    "smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez wilson "
    "anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez clark ramirez lewis "
    "robinson walker young allen king wright scott torres nguyen hill flores green adams nelson baker hall "
    "rivera campbell mitchell carter roberts gomez phillips evans turner diaz parker cruz edwards collins reyes "
    "stewart morris morales murphy cook rogers gutierrez ortiz morgan cooper peterson bailey reed kelly howard "
    "ramos kim cox ward richardson watson brooks chavez wood james bennett gray mendoza ruiz hughes price "
    "alvarez castillo sanders patel myers long ross foster jimenez powell jenkins perry russell sullivan bell "
    "coleman butler henderson barnes gonzales fisher vasquez simmons romero jordan patterson alexander hamilton "
    "graham reynolds griffin wallace moreno west cole hayes bryant herrera gibson ellis tran medina aguilar "
    "stevens murray ford castro marshall owens harrison fernandez mcdonald woods washington kennedy wells"
).split()
# A fifth of the debtors get a made-up surname from these syllables: a long tail of rare names.
SYLLABLES_A = "kow zab vor dun brel quin hask mor pell trav gud lin wex yar oss fen rad bly cor jast".split()
SYLLABLES_B = "alski enko idge strom ovic ardt ley mund ford wick rich berg holm tani ucci ergh azy orne".split()
DOMAINS = "mailbox.test inbox.test northwind.test post.test example.test webmail.test fastmail.test qmail.test"
CITIES = "Springfield Riverside Franklin Greenville Bristol Clinton Fairview Salem Madison Georgetown".split()
STATES = "NY CA TX FL IL PA OH GA NC MI".split()
# Cumulative shares of the 8 statuses; "new" accounts are the unassigned 15%.
STATUS_CDF = (
    ("new", 0.15),
    ("assigned", 0.35),
    ("in_contact", 0.55),
    ("negotiating", 0.65),
    ("payment_plan", 0.75),
    ("settled", 0.83),
    ("closed", 0.95),
    ("disputed", 1.0),
)


@dataclass
class Facts:
    """What the measurements need to know about a loaded database."""

    rows: int
    agency_id: int
    admin_id: int
    admin_username: str
    collector_username: str
    collector_id: int
    admin_accounts: list[int]
    collector_accounts: list[int]
    email_fragment: str


def recreate_database(url: str, drop_only: bool = False) -> None:
    """Drop the bench database (forcing out sessions) and, unless ``drop_only``, create it empty."""
    drop_database(url)
    if not drop_only:
        create_database(url, "", name=make_url(url).database)


def database_exists(url: str) -> bool:
    conn = pg_connect(url, "postgres")
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (make_url(url).database,))
        found = cur.fetchone() is not None
    conn.close()
    return found


def loaded_rows(url: str) -> int | None:
    """How many accounts the big bench agency holds, or None if the database is not a loaded bench."""
    if not database_exists(url):
        return None
    conn = pg_connect(url)
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass('accounts') IS NOT NULL")
        if not cur.fetchone()[0]:
            return None
        cur.execute("SELECT count(*) FROM accounts a JOIN agencies g ON g.id = a.agency_id WHERE g.slug = 'bench-big'")
        count = cur.fetchone()[0]
    conn.close()
    return count or None


def load(url: str, rows: int) -> float:
    """Fill an empty, migrated bench database with ``rows`` accounts; return the seconds it took."""
    started = time.perf_counter()
    conn = pg_connect(url)
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(LOAD_SETTINGS)
        cur.execute("SELECT setseed(0.4242)")
        dropped = _drop_secondary_indexes(cur, ("accounts", "account_search", "debtors"))
        big, small = _insert_tenants(cur)
        _insert_people_and_accounts(cur, big, 1, rows, "ACC")
        _insert_people_and_accounts(cur, small, rows + 1, rows + SMALL_AGENCY_ACCOUNTS, "SML")
        for table in ("debtors", "accounts"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    print(f"  rows inserted: {time.perf_counter() - started:.1f} s", flush=True)
    _rebuild_indexes(url, dropped)
    print(f"  indexes rebuilt: {time.perf_counter() - started:.1f} s", flush=True)
    with conn.transaction(), conn.cursor() as cur:
        _insert_timelines(cur, big)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    conn.close()
    return time.perf_counter() - started


LOAD_SETTINGS = "SET maintenance_work_mem = '1GB'; SET synchronous_commit = off; SET jit = off"


def _rebuild_indexes(url: str, ddl: list[str]) -> None:
    """Run the index DDL on two connections: the (single-threaded) GIN build beside the btree builds."""

    def build(statements: list[str]) -> None:
        conn = pg_connect(url)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(LOAD_SETTINGS)
            for statement in statements:
                cur.execute(statement)
        conn.close()

    gin = [d for d in ddl if "USING gin" in d]
    with ThreadPoolExecutor(max_workers=2) as pool:
        for done in [pool.submit(build, gin), pool.submit(build, [d for d in ddl if d not in gin])]:
            done.result()


def set_search_statistics(url: str, target: int) -> None:
    """Set the statistics target of ``account_search.search_text`` (-1: the server default) and re-ANALYZE if
    it changed.

    A what-if for the search plans: the LIKE selectivity comes from this column's histogram.
    """
    conn = pg_connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(
            "SELECT attstattarget FROM pg_attribute "
            "WHERE attrelid = 'account_search'::regclass AND attname = 'search_text'"
        )
        if cur.fetchone()[0] != target:
            cur.execute(f"ALTER TABLE account_search ALTER COLUMN search_text SET STATISTICS {int(target)}")
            cur.execute("ANALYZE account_search")
    conn.close()


def _drop_secondary_indexes(cur, tables: tuple[str, ...]) -> list[str]:
    """Drop the non-constraint indexes of ``tables`` and return the DDL that recreates them."""
    cur.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY(%s) "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
        (list(tables),),
    )
    found = cur.fetchall()
    for name, _ in found:
        cur.execute(f'DROP INDEX "{name}"')
    return [ddl for _, ddl in found]


def sign_in_without_mfa(url: str) -> None:
    """The bench agencies don't require two-factor sign-in (as the demo's don't): the bench signs in with a
    password alone, and a second step would only add a request before the measured ones."""
    conn = pg_connect(url)
    with conn, conn.cursor() as cur:
        cur.execute("UPDATE agencies SET mfa_required = false")
    conn.close()


def _insert_tenants(cur) -> tuple[int, int]:
    """Two agencies, their admins, collectors (with profiles) and creditors; return the agency ids."""
    cur.execute(
        "INSERT INTO agencies (name, slug, timezone, currency, created_at) VALUES "
        "('Bench Collections', 'bench-big', 'America/New_York', 'USD', now()), "
        "('Bench Small Agency', 'bench-small', 'America/Chicago', 'USD', now()) RETURNING id"
    )
    big, small = (r[0] for r in cur.fetchall())
    password_hash = generate_password_hash(PASSWORD)
    for agency, prefix, collectors in ((big, "bench", COLLECTORS), (small, "small", 2)):
        cur.execute(
            "INSERT INTO users (agency_id, username, email, full_name, role, password_hash, active, created_at) "
            "SELECT %(a)s, %(p)s || CASE WHEN g = 0 THEN '-admin' ELSE '-collector' || g END, "
            "%(p)s || g || '@agency.test', initcap(%(p)s) || CASE WHEN g = 0 THEN ' Admin' ELSE ' Collector ' || g END,"
            " CASE WHEN g = 0 THEN 'admin' ELSE 'collector' END, %(h)s, true, now() FROM generate_series(0, %(n)s) g",
            dict(a=agency, p=prefix, h=password_hash, n=collectors),
        )
        cur.execute(
            "INSERT INTO collector_profiles (user_id, agency_id, commission_rate, max_open_accounts, active) "
            "SELECT id, agency_id, 0.1, 100000, true FROM users WHERE agency_id = %s AND role = 'collector'",
            (agency,),
        )
        cur.execute(
            "INSERT INTO creditors (agency_id, name) SELECT %s, 'Creditor ' || g || ' Bank' "
            "FROM generate_series(1, %s) g",
            (agency, 40 if agency == big else 3),
        )
    return big, small


def _insert_people_and_accounts(cur, agency: int, first: int, last: int, ref_prefix: str) -> None:
    """Debtors ``first..last`` of ``agency`` and one account each (account id = debtor id)."""
    cur.execute(DEBTORS_SQL, _name_params(agency, first, last))
    cur.execute("SELECT array_agg(id ORDER BY id) FROM users WHERE agency_id = %s AND role = 'collector'", (agency,))
    collectors = cur.fetchone()[0]
    cur.execute("SELECT array_agg(id ORDER BY id) FROM creditors WHERE agency_id = %s", (agency,))
    creditors = cur.fetchone()[0]
    statuses = [s for s, _ in STATUS_CDF]
    cdf = [p for _, p in STATUS_CDF]
    cur.execute(
        ACCOUNTS_SQL,
        dict(
            first=first,
            last=last,
            prefix=ref_prefix,
            collectors=collectors,
            creditors=creditors,
            statuses=statuses,
            cdf=cdf,
            span=max(last - first, 1),
        ),
    )


def _name_params(agency: int, first: int, last: int) -> dict:
    return dict(
        agency=agency,
        first=first,
        last=last,
        firsts=FIRST_NAMES,
        surnames=SURNAMES,
        syl_a=SYLLABLES_A,
        syl_b=SYLLABLES_B,
        domains=DOMAINS.split(),
        cities=CITIES,
        states=STATES,
    )


def pick(array: str, draw: str = "random()") -> str:
    """SQL for one element of a 1-based array parameter, chosen by a draw in [0, 1)."""
    return f"({array})[1 + floor({draw} * cardinality({array}))::int]"


DEBTORS_SQL = f"""
INSERT INTO debtors (id, agency_id, full_name, email, phone, address_line1, city, state, postal_code,
                     created_at, updated_at)
SELECT g, %(agency)s, initcap(fname) || ' ' || initcap(sname),
       left(fname, 1) || sname || (g %% 1000) || '@' || {pick("%(domains)s::text[]")},
       '+1 555 ' || lpad((g %% 10000000)::text, 7, '0'), (g %% 9000 + 1) || ' Main Street',
       {pick("%(cities)s::text[]")}, {pick("%(states)s::text[]")}, lpad((g %% 99999)::text, 5, '0'), now(), now()
FROM (
    SELECT g, {pick("%(firsts)s::text[]")} AS fname,
           CASE WHEN random() < 0.8 THEN {pick("%(surnames)s::text[]", "power(random(), 1.5)")}
                ELSE {pick("%(syl_a)s::text[]")} || {pick("%(syl_b)s::text[]")} END AS sname
    FROM generate_series(CAST(%(first)s AS integer), CAST(%(last)s AS integer)) g
) people
"""

ACCOUNTS_SQL = f"""
INSERT INTO accounts (id, agency_id, debtor_id, creditor_id, external_ref, account_type, original_amount,
                      current_balance, status, priority, due_date, last_contact_at, assigned_collector_id,
                      search_text, created_at, updated_at)
SELECT id, agency_id, id, {pick("%(creditors)s")}, ref,
       (ARRAY['credit_card', 'medical', 'utility', 'loan'])[1 + id %% 4],
       original, CASE WHEN status IN ('settled', 'closed') AND random() < 0.8 THEN 0
                      ELSE round(original * (0.2 + 0.8 * random())::numeric, 2) END,
       status, prio, CASE WHEN random() < 0.1 THEN NULL ELSE current_date + (floor(random() * 730) - 365)::int END,
       CASE WHEN status IN ('new', 'assigned') OR random() < 0.1 THEN NULL
            ELSE created + random() * (now() - created) END,
       CASE WHEN status = 'new' THEN NULL ELSE {pick("%(collectors)s")} END,
       lower(ref || ' ' || full_name || ' ' || email), created, created
FROM (
    SELECT d.id, d.agency_id, d.full_name, d.email, %(prefix)s || '-' || lpad(d.id::text, 8, '0') AS ref,
           round((50 + power(random(), 2) * 24950)::numeric, 2) AS original,
           (SELECT s FROM unnest(%(statuses)s::text[], %(cdf)s::float8[]) AS t(s, p)
            WHERE p > r_status LIMIT 1) AS status,
           CASE WHEN r_prio < 0.10 THEN 0 WHEN r_prio < 0.50 THEN 1 WHEN r_prio < 0.85 THEN 2 ELSE 3 END AS prio,
           timestamptz '2023-01-01' + (d.id - %(first)s)::float8 / %(span)s * (now() - timestamptz '2023-01-01')
               * 0.98 + random() * interval '2 days' AS created
    FROM (SELECT d.*, random() AS r_status, random() AS r_prio FROM debtors d
          WHERE d.id BETWEEN %(first)s AND %(last)s OFFSET 0) d
) a
"""


def _insert_timelines(cur, agency: int) -> None:
    """A timeline for the accounts whose page the bench opens (the first of each viewer's sample)."""
    facts = read_facts_sql(cur, agency)
    ids = facts["admin_accounts"] + facts["collector_accounts"]
    cur.execute(
        "INSERT INTO activities (agency_id, account_id, actor_id, kind, body, details, created_at) "
        "SELECT a.agency_id, a.id, a.assigned_collector_id, "
        "(ARRAY['note', 'status_change', 'payment', 'note', 'assignment'])[1 + g %% 5], "
        "'Bench timeline entry ' || g, '{}', a.created_at + g * interval '1 day' "
        "FROM accounts a CROSS JOIN generate_series(1, %s) g WHERE a.id = ANY(%s)",
        (ACTIVITIES_PER_ACCOUNT, ids),
    )


def read_facts_sql(cur, agency: int) -> dict:
    """Users and sample accounts of the big agency (deterministic: spread evenly over the ids)."""
    cur.execute("SELECT id, username FROM users WHERE agency_id = %s ORDER BY id", (agency,))
    users = cur.fetchall()
    admin, collector = users[0], users[1]
    admin_accounts = _spread_sample(cur, "agency_id = %s", agency)
    collector_accounts = _spread_sample(cur, "assigned_collector_id = %s", collector[0])
    # Part of a real address, as a user would paste it: "smith417@" from "jsmith417@post.test".
    cur.execute(
        "SELECT d.email FROM accounts a JOIN debtors d ON d.id = a.debtor_id WHERE a.id = %s",
        (collector_accounts[len(collector_accounts) // 2],),
    )
    email_fragment = cur.fetchone()[0].split("@")[0][1:] + "@"
    return dict(
        agency_id=agency,
        admin_id=admin[0],
        admin_username=admin[1],
        collector_id=collector[0],
        collector_username=collector[1],
        admin_accounts=admin_accounts,
        collector_accounts=collector_accounts,
        email_fragment=email_fragment,
    )


def _spread_sample(cur, where: str, value: int) -> list[int]:
    """PAGE_SAMPLE account ids spread evenly over the accounts matching ``where``."""
    cur.execute(
        f"SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n, count(*) OVER () AS total "
        f"FROM accounts WHERE {where}) a WHERE n %% greatest(total / %s, 1) = 0 ORDER BY id LIMIT %s",
        (value, PAGE_SAMPLE, PAGE_SAMPLE),
    )
    return [r[0] for r in cur.fetchall()]


def read_facts(url: str, rows: int) -> Facts:
    """The bench users and sample accounts of a loaded database."""
    conn = pg_connect(url)
    with conn.cursor() as cur:
        cur.execute("SELECT id FROM agencies WHERE slug = 'bench-big'")
        facts = read_facts_sql(cur, cur.fetchone()[0])
    conn.close()
    return Facts(rows=rows, **facts)
