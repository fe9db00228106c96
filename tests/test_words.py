"""Stored codes are shown as words, by one mapping (``app.words``) behind the enums' labels and the Jinja filter."""

import pytest

from app.accounts.states import Status
from app.auth.models import Role
from app.imports.models import JobStatus, SourceKind
from app.payments.models import PaymentMethod, PaymentStatus
from app.words import words


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("credit_card", "Credit card"),
        ("medical", "Medical"),
        (PaymentMethod.BANK_TRANSFER, "Bank transfer"),
        (PaymentStatus.PARTIALLY_REFUNDED, "Partially refunded"),
        (Status.IN_CONTACT, "In contact"),
        (JobStatus.COMPLETED_WITH_ERRORS, "Completed with errors"),
        (SourceKind.SFTP, "SFTP"),
        (SourceKind.LOCAL, "Local folder"),
        (Role.COLLECTOR, "Collector"),
        ("account.status_changed", "Account status changed"),
        ("import_source.sftp_checked", "Import source SFTP checked"),
        ("half_open", "Half-open"),
        (None, "—"),
        ("", "—"),
    ],
)
def test_codes_read_as_words(code, expected):
    assert words(code) == expected


@pytest.mark.parametrize("enum", [Status, JobStatus, PaymentMethod, PaymentStatus])
def test_every_label_comes_from_the_one_mapping(enum):
    for member in enum:
        assert member.label == words(member)
        assert "_" not in member.label and member.label[0].isupper()


def test_the_filter_is_the_mapping(app):
    assert app.jinja_env.filters["words"] is words
    assert app.jinja_env.from_string("{{ 'auto_loan'|words }}").render() == "Auto loan"
