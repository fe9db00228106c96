"""Portal fixtures: a debtor with facts on file, and a client that signs in to the portal as that debtor would."""

from datetime import date
from decimal import Decimal

import pytest

from app.portal.views import COOKIE, COOKIE_PATH
from tests import factories as f
from tests.payments.conftest import localstripe_url, stripe_client, stripe_config  # noqa: F401  (fixtures)

DOB = date(1980, 4, 23)


@pytest.fixture
def debtor_account(agency):
    """An account of Maria Garcia Lopez (ZIP+4 and date of birth on file), balance $400.00."""
    debtor = f.DebtorFactory(
        agency_id=agency.id, full_name="María García López", postal_code="10001-1234", date_of_birth=DOB
    )
    return f.AccountFactory(agency=agency, debtor=debtor, original_amount=Decimal("400.00"))


class Portal:
    """The debtor's browser: signs in with facts or a link, keeps the portal cookie like any browser."""

    def __init__(self, web, agency):
        self.web, self.base = web, f"/portal/{agency.slug}"

    def sign_in(self, reference: str, last_name="Lopez", postal_code="10001", date_of_birth="1980-04-23", ssn=""):
        data = dict(
            reference=reference,
            last_name=last_name,
            postal_code=postal_code,
            date_of_birth=date_of_birth,
            ssn_last4=ssn,
        )
        return self.web.post(f"{self.base}/", data)

    def get(self, path: str = "/accounts/", **kw):
        return self.web.get(f"{self.base}{path}", **kw)

    def post(self, path: str, data: dict | None = None):
        return self.web.post(f"{self.base}{path}", data)

    def forget(self) -> None:
        """Close the browser: the portal cookie is gone (a browser-session cookie)."""
        self.web.client.delete_cookie(COOKIE, path=COOKIE_PATH)

    def cookie(self):
        return self.web.client.get_cookie(COOKIE, path=COOKIE_PATH)


@pytest.fixture
def portal(web, agency):
    return Portal(web, agency)
