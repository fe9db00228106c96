"""Every figure of the dashboard links to a list whose rows are exactly the records behind it: counted, or
summed through the list's own CSV export (same filters), on both databases."""

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest

from app.accounts.states import Status
from app.analytics.queries import get_aging, get_dashboard_figures
from app.imports.models import ImportJob, JobStatus
from app.timeutil import utcnow
from tests.exports import csv_rows, total
from tests.factories import db
from tests.payments.helpers import pay


@pytest.fixture
def links(book, login):
    """The figures as the dashboard computes them, its links by figure, and a signed-in admin."""
    pay(book.a1, "25", book.admin)  # completed now: this month's and today's figures are not zero
    for status, rows, days_ago in (
        (JobStatus.COMPLETED, 40, 3),
        (JobStatus.DUPLICATE, 0, 2),
        (JobStatus.COMPLETED, 9, 45),
    ):
        db.session.add(
            ImportJob(
                agency_id=book.admin.agency_id,
                file_name="f.csv",
                sha256="1" * 64,
                status=status,
                total=rows,
                errors=0,
                created_at=utcnow() - timedelta(days=days_ago),
            )
        )
    db.session.commit()
    web = login(book.admin)
    body = web.get("/analytics/figures", htmx=True).get_data(as_text=True)
    found = {name: html.unescape(href) for name, href in re.findall(r'data-figure="([^"]+)" href="([^"]+)"', body)}
    return web, get_dashboard_figures(book.admin), found


def exported(web, href: str) -> list[dict]:
    """The list behind ``href`` (accounts or payments, with its query string) read through its CSV export."""
    path, _, query = href.partition("?")
    return csv_rows(web.get(f"{path}export.csv?{query}"))


def test_active_accounts_link_lists_exactly_that_many(links):
    web, fig, found = links
    assert fig.active_accounts == 4
    assert len(exported(web, found["active_accounts"])) == fig.active_accounts
    page = web.get(found["active_accounts"]).get_data(as_text=True)
    assert f"of {fig.active_accounts:,} accounts" in page


def test_outstanding_balance_link_lists_balances_that_sum_to_it(links):
    web, fig, found = links
    assert total(exported(web, found["outstanding"]), "Balance") == fig.outstanding == Decimal("1675.00")


def test_amount_placed_link_lists_original_amounts_that_sum_to_it(links):
    web, fig, found = links
    assert total(exported(web, found["placed"]), "Original amount") == fig.placed


@pytest.mark.parametrize("name", ["collected_all", "collected_month", "collected_today"])
def test_collected_links_list_payments_whose_net_sums_to_the_figure(links, name):
    web, fig, found = links
    rows = exported(web, found[name])
    assert rows and total(rows, "Net") == getattr(fig, name)


def test_recovery_rate_link_lists_the_payments_behind_its_numerator(links):
    web, fig, found = links
    net = total(exported(web, found["recovery_rate"]), "Net")
    assert (net / fig.placed).quantize(Decimal("0.0001")) == fig.recovery_rate


def test_each_status_links_to_that_many_accounts(links):
    web, fig, found = links
    for status in Status:
        assert len(exported(web, found[f"status:{status.value}"])) == fig.by_status.get(status, 0), status


def test_imports_link_lists_the_files_and_rows_counted(links):
    web, fig, found = links
    page = web.get(found["imports"]).get_data(as_text=True)
    table = page[page.index('id="job-table"') :]
    jobs = re.findall(r'<td><a href="/imports/\d+">\d+</a></td>.*?</tr>', table, re.S)
    assert len(jobs) == fig.import_files == 1
    rows = [int(re.findall(r"<td>(\d+)</td>", job)[0]) for job in jobs]
    assert sum(rows) == fig.import_rows


def test_aging_buckets_link_to_their_accounts_and_balances(book, links):
    web, _fig, _found = links
    body = web.get("/analytics/aging", htmx=True).get_data(as_text=True)
    hrefs = dict((key, html.unescape(href)) for href, key in re.findall(r'href="([^"]+)" data-bucket="([^"]+)"', body))
    for row in get_aging(book.admin):
        rows = exported(web, hrefs[row.key])
        assert (len(rows), total(rows, "Balance")) == (row.count, row.balance), row.key
