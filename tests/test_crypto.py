"""SSN last-4 encrypted at rest, shown masked, and re-encrypted on key rotation."""

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from app import crypto
from app.debtors.models import Debtor
from app.extensions import db
from tests import factories as f


def stored_ciphertext(debtor) -> str:
    return db.session.scalar(select(Debtor.ssn_last4_encrypted).where(Debtor.id == debtor.id))


def test_ssn_is_encrypted_at_rest_and_shown_masked(agency):
    debtor = f.DebtorFactory(agency_id=agency.id)
    debtor.ssn_last4 = "4321"
    db.session.flush()
    assert "4321" not in stored_ciphertext(debtor)
    assert debtor.ssn_last4 == "4321" and debtor.masked_ssn == "***-**-4321"


def test_missing_ssn_is_shown_as_a_dash(agency):
    assert f.DebtorFactory(agency_id=agency.id).masked_ssn == "—"


def test_rotation_re_encrypts_under_the_new_key(app, agency):
    debtor = f.DebtorFactory(agency_id=agency.id)
    debtor.ssn_last4 = "1111"
    db.session.commit()
    old_keys = list(app.config["ENCRYPTION_KEYS"])
    app.config["ENCRYPTION_KEYS"] = [Fernet.generate_key().decode(), *old_keys]
    try:
        result = app.test_cli_runner().invoke(args=["crypto", "rotate"])
        assert result.exit_code == 0 and "re-encrypted" in result.output
        app.config["ENCRYPTION_KEYS"] = app.config["ENCRYPTION_KEYS"][:1]  # old key retired
        assert crypto.decrypt(stored_ciphertext(debtor)) == "1111"
    finally:
        app.config["ENCRYPTION_KEYS"] = old_keys


def test_a_value_no_key_can_read_is_a_clear_error(app):
    foreign = Fernet(Fernet.generate_key()).encrypt(b"9999").decode()
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(foreign)
