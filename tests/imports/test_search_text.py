"""What the search box matches follows the accounts: an import's new accounts, a refresh that renames a debtor,
an edit, an assignment, a deletion. On PostgreSQL the search reads its trigram-indexed copy (``account_search``,
kept by triggers), which must hold each account's text and collector and nothing else; SQLite matches
``accounts.search_text``."""

from sqlalchemy import select, text

from app.accounts.models import Account
from app.accounts.worklist_filters import CONDITIONS, like_pattern
from app.extensions import db
from tests import factories as f
from tests.imports.conftest import HEADER


def _csv(rows: list[tuple[str, str, str]]) -> str:
    lines = [
        f"{ref},{name},{amount},1234,{ref.lower()}@example.com,555-0100,2026-01-01,Acme,medical"
        for ref, name, amount in rows
    ]
    return "\n".join([HEADER, *lines]) + "\n"


def found(agency, term: str) -> set[str]:
    condition = CONDITIONS["pattern"](Account, like_pattern(term))
    return set(db.session.scalars(select(Account.external_ref).where(Account.agency_id == agency.id, condition)))


def copy_is_the_accounts(is_postgres: bool) -> bool:
    if not is_postgres:
        return True  # no copy: the search reads accounts.search_text
    copied = db.session.execute(text("SELECT account_id, search_text, assigned_collector_id FROM account_search"))
    accounts = db.session.execute(select(Account.id, Account.search_text, Account.assigned_collector_id))
    return sorted(copied.all()) == sorted(accounts.all())


def test_the_search_follows_imports_edits_assignments_and_deletions(agency, import_csv, is_postgres):
    import_csv(agency, _csv([("R1", "Ann Smith", "100.00"), ("R2", "Bob Jones", "200.00")]))
    assert (found(agency, "smith"), found(agency, "jones")) == ({"R1"}, {"R2"})

    import_csv(agency, _csv([("R1", "Ann Smith", "150.00"), ("R2", "Bob Rivera", "250.00")]))  # a refresh
    assert (found(agency, "jones"), found(agency, "rivera"), found(agency, "smith")) == (set(), {"R2"}, {"R1"})

    account = db.session.scalars(select(Account).where(Account.external_ref == "R1")).one()
    account.debtor.full_name = "Ann Walker"
    account.refresh_search_text()
    db.session.flush()
    assert (found(agency, "smith"), found(agency, "walker")) == (set(), {"R1"})
    assert copy_is_the_accounts(is_postgres)

    account.assigned_collector_id = f.CollectorFactory(agency=agency).id
    db.session.flush()
    assert copy_is_the_accounts(is_postgres)
    account.assigned_collector_id = None
    db.session.flush()
    assert copy_is_the_accounts(is_postgres)

    spare = f.AccountFactory(agency=agency, debtor=f.DebtorFactory(agency_id=agency.id, full_name="Cy Spare"))
    assert found(agency, "spare") == {spare.external_ref}
    db.session.delete(spare)
    db.session.flush()
    assert found(agency, "spare") == set()
    assert copy_is_the_accounts(is_postgres)
