"""Lists bench on PostgreSQL: the list totals' cost beside the worklist page, and the 1,000,000-account CSV export
(time and peak memory).

    .venv/bin/python bench/lists_bench.py [--rows 1000000] [--repeat 30] [--keep] [--database-url URL]

The data is the worklist bench's (``worklist_data``; ``--keep`` reuses a loaded database of the same size).
Totals: for each list request, p50/p95 of ``count_accounts`` alone and of ``list_accounts`` alone, then of the
page as served (the total is asked for after it is shown), of the page counting inline (``count=1``, as the
no-JS link does) and of the total's htmx fragment, timed round-robin in one sitting, with the total shown. Export: the
admin's unfiltered export (every account of the big agency) and a smaller filtered one, streamed through the
Flask test client and read chunk by chunk; wall time, rows, bytes, and the process's peak RSS (sampled from
/proc every 20 ms) above its level before the export. Ends with one JSON line.
"""

import json
import sys
import threading
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.accounts.queries import WorklistFilters, count_accounts, list_accounts
from app.accounts.states import Status
from app.auth.models import User
from app.extensions import db
from bench import pgdb
from bench import worklist_bench as wb
from bench import worklist_data as data

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/debtflow_lists_bench"
# name -> (viewer, filters, page URL)
CASES = {
    "admin_all": ("admin", {}, "/accounts/"),
    "admin_open": ("admin", {"open_only": True}, "/accounts/?status=open"),
    "admin_new": ("admin", {"status": Status.NEW}, "/accounts/?status=new"),
    "admin_p3_in_contact": (
        "admin",
        {"priority": 3, "status": Status.IN_CONTACT},
        "/accounts/?priority=3&status=in_contact",
    ),
    "admin_search_common": ("admin", {"q": "smith"}, "/accounts/?q=smith"),
    "admin_search_rare": ("admin", {"q": "kowalski"}, "/accounts/?q=kowalski"),
    "collector_all": ("collector", {}, "/worklist"),
    "collector_open": ("collector", {"open_only": True}, "/worklist?status=open"),
}


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


class PeakRss:
    """The process's highest RSS while the block runs, sampled by a thread."""

    def __enter__(self):
        self.base = self.peak = rss_kib()
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self):
        while self.running:
            self.peak = max(self.peak, rss_kib())
            time.sleep(0.02)

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()


def measure_totals(app, facts, repeat: int) -> dict:
    """The queries timed in an app context (a fresh session per call); the pages outside one, as requests run."""
    viewers = {"admin": facts.admin_id, "collector": facts.collector_id}
    calls, shown = {}, {}
    with app.app_context():
        users = {role: db.session.get(User, uid) for role, uid in viewers.items()}
        for user in users.values():
            user.agency  # noqa: B018  (loaded before detaching)
            db.session.expunge(user)
        for name, (role, params, _url) in CASES.items():
            filters = WorklistFilters(**params)
            calls[f"{name}.count"] = partial(count_accounts, users[role], filters)
            calls[f"{name}.list"] = partial(list_accounts, users[role], filters, 1, 25)
            shown[name] = count_accounts(users[role], filters).text
        times = wb.timed(calls, repeat, reset=db.session.remove)
    clients = {"admin": wb.login(app, facts.admin_username), "collector": wb.login(app, facts.collector_username)}
    pages = {}
    for name, (role, _params, url) in CASES.items():
        counted = url + ("&" if "?" in url else "?") + "count=1"
        pages[f"{name}.page"] = partial(wb.get_ok, clients[role], url)
        pages[f"{name}.page_counted"] = partial(wb.get_ok, clients[role], counted)
        pages[f"{name}.total_fragment"] = partial(_fragment, clients[role], counted)
    times |= wb.timed(pages, repeat)
    return {name: {"total": shown[name], **{k: times[f"{name}.{k}"] for k in KINDS}} for name in CASES}


KINDS = ("count", "list", "page", "page_counted", "total_fragment")


def _fragment(client, url: str) -> None:
    response = client.get(url, headers={"HX-Request": "true", "HX-Target": "list-total"})
    assert response.status_code == 200 and b"<html" not in response.data, url


def measure_export(app, facts, query: str) -> dict:
    client = wb.login(app, facts.admin_username)
    rows = size = 0
    with PeakRss() as rss:
        started = time.perf_counter()
        response = client.get(f"/accounts/export.csv{query}", buffered=False)
        assert response.status_code == 200, response.status_code
        for chunk in response.response:
            size += len(chunk)
            rows += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
        response.close()
        seconds = time.perf_counter() - started
    return {
        "query": query or "(none)",
        "rows": rows - 1,
        "mb": round(size / 1e6, 1),
        "seconds": round(seconds, 1),
        "rows_per_s": round((rows - 1) / seconds),
        "rss_before_mb": round(rss.base / 1024, 1),
        "peak_rss_mb": round(rss.peak / 1024, 1),
        "peak_growth_mb": round((rss.peak - rss.base) / 1024, 1),
    }


def main() -> None:
    args = wb.parse_args(
        [a for a in sys.argv[1:]] + ([] if "--database-url" in sys.argv else ["--database-url", DEFAULT_URL])
    )
    app, _ = wb.prepare(args)
    facts = data.read_facts(args.database_url, args.rows)
    machine = pgdb.round_trip_ms(args.database_url)
    totals = measure_totals(app, facts, args.repeat)
    for name, row in totals.items():
        count, listed, page, counted, fragment = (row[k][1] for k in KINDS)
        print(f"{name:22} {row['total']:>16}  p95 ms: count {count:6.2f} list {listed:6.2f}", end="  ")
        print(f"page {page:6.2f} page+count {counted:6.2f} total fragment {fragment:6.2f}")
    exports = [measure_export(app, facts, "?status=new"), measure_export(app, facts, "")]
    for e in exports:
        print(f"export {e['query']:12} {e['rows']:>9,} rows {e['mb']:>7} MB {e['seconds']:>6} s", end="  ")
        print(f"peak RSS {e['peak_rss_mb']} MB (+{e['peak_growth_mb']} MB)")
    if not args.keep:
        data.recreate_database(args.database_url, drop_only=True)
    print(json.dumps({"rows": args.rows, "select_1_ms": machine, "totals": totals, "exports": exports}))


if __name__ == "__main__":
    main()
