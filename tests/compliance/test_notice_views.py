"""The account page's validation notice card: "cannot send notice" without an itemization, the itemization and
the form with one, a notice recorded from the form, its PDF downloaded (scoped), and the countdown."""

import hashlib
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.compliance.models import ValidationNotice
from app.extensions import db
from tests.compliance.notices_support import converse, dress, freeze_today, itemize


@pytest.fixture
def ready(clock, assigned_account):
    freeze_today()
    dress(assigned_account)
    itemize(assigned_account)
    return assigned_account


def _page(web, account) -> str:
    return web.get(f"/accounts/{account.id}").get_data(as_text=True)


def test_an_account_without_itemization_says_it_cannot_send_notice(login, collector, assigned_account):
    page = _page(login(collector), assigned_account)
    assert "Cannot send notice" in page and "Record notice sent" not in page


def test_the_card_shows_the_itemization_and_records_a_notice(app_role, login, collector, ready):
    web = login(collector)
    page = _page(web, ready)
    assert "Cannot send notice" not in page and "First Bank of Springfield" in page and "$985.00" in page
    assert 'value="2027-01-04"' in page  # the form offers the agency's today
    response = web.post(
        f"/accounts/{ready.id}/validation-notices", {"sent_on": "2026-12-08", "channel": "email", "language": "es"}
    )
    assert response.status_code == 303
    notice = db.session.scalars(select(ValidationNotice).where(ValidationNotice.account_id == ready.id)).one()
    assert (notice.channel, notice.language, notice.period_ends.isoformat()) == ("email", "es", "2027-01-14")
    page = _page(web, ready)
    assert "validation period ends <strong>2027-01-14</strong>" in page
    assert "Validation notice sent by email (Spanish); validation period ends 2027-01-14" in page
    download = web.get(f"/accounts/{ready.id}/validation-notices/{notice.id}.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert hashlib.sha256(download.data).hexdigest() == notice.document.sha256
    assert "attachment" in download.headers["Content-Disposition"]


def test_a_bad_form_is_a_422_and_writes_nothing(login, collector, ready):
    web = login(collector)
    for data in ({"sent_on": "2027-02-01", "channel": "mail", "language": "en"}, {"sent_on": "", "channel": "mail"}):
        response = web.post(f"/accounts/{ready.id}/validation-notices", data)
        assert response.status_code == 422
    assert db.session.scalars(select(ValidationNotice)).first() is None


def test_another_users_notice_is_not_found(login, collector, other_collector, ready, foreign):
    web = login(collector)
    web.post(f"/accounts/{ready.id}/validation-notices", {"sent_on": "2026-12-08", "channel": "mail", "language": "en"})
    notice = db.session.scalars(select(ValidationNotice)).one()
    url = f"/accounts/{ready.id}/validation-notices/{notice.id}.pdf"
    for user in (other_collector, foreign.admin):
        assert login(user).get(url).status_code == 404
    wrong_account = f"/accounts/{foreign.account.id}/validation-notices/{notice.id}.pdf"
    assert login(foreign.admin).get(wrong_account).status_code == 404


def test_the_countdown_shows_on_the_account_page(login, collector, ready):
    converse(ready, datetime(2027, 1, 2, 15, tzinfo=UTC))
    page = _page(login(collector), ready)
    assert "Validation notice due by 2027-01-07 (3 days left)" in page


def test_the_card_prints_what_the_notice_prints_and_a_misfit_cannot_be_sent(login, collector, ready):
    web = login(collector)
    ready.current_balance = Decimal("700.00")  # 985 + 10 + 5 - 700: 300.00 paid or credited since
    assert "− $300.00" in _page(web, ready)
    ready.current_balance = Decimal("1200.00")  # more than the itemization adds up to
    page = _page(web, ready)
    assert "Cannot send notice" in page and "adds up to less than the current balance" in page
    assert "Record notice sent" not in page
