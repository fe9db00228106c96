"""Encrypted fields: bound to their row (AES-GCM, table/column/id as associated data), shown masked, shown as
"unreadable" when they cannot be decrypted, re-encrypted on key rotation; and the digest of bearer tokens."""

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, update

from app import crypto
from app.debtors.models import Debtor
from app.extensions import db
from app.imports.models import ImportSource, SourceKind
from app.imports.services import sources
from tests import factories as f

SSN = "ssn_last4_encrypted"


def stored_ciphertext(debtor) -> str:
    return db.session.scalar(select(Debtor.ssn_last4_encrypted).where(Debtor.id == debtor.id))


def store_ciphertext(debtor, token: str | None) -> None:
    db.session.execute(update(Debtor).where(Debtor.id == debtor.id).values(ssn_last4_encrypted=token))
    db.session.expire_all()


def aad(debtor) -> bytes:
    return crypto.associated_data("debtors", SSN, debtor.id)


def debtor_with_ssn(agency, last4: str) -> Debtor:
    debtor = f.DebtorFactory(agency_id=agency.id)
    debtor.ssn_last4 = last4
    db.session.flush()
    return debtor


def test_ssn_is_encrypted_at_rest_and_shown_masked(agency):
    debtor = debtor_with_ssn(agency, "4321")
    token = stored_ciphertext(debtor)
    assert "4321" not in token and token.startswith(f"v2.{crypto.keyring().primary.key_id}.")
    assert debtor.ssn_last4 == "4321" and debtor.masked_ssn == "***-**-4321"


def test_a_value_set_before_the_row_has_an_id_is_bound_to_the_id_it_gets(agency):
    debtor = Debtor(agency_id=agency.id, full_name="New Person")
    debtor.ssn_last4 = "2468"
    db.session.add(debtor)
    db.session.flush()
    assert crypto.decrypt(stored_ciphertext(debtor), aad(debtor)) == "2468"
    db.session.expire_all()
    assert db.session.get(Debtor, debtor.id).masked_ssn == "***-**-2468"


def test_missing_ssn_is_shown_as_a_dash(agency):
    assert f.DebtorFactory(agency_id=agency.id).masked_ssn == "—"


def test_a_ciphertext_copied_onto_another_debtor_does_not_decrypt(agency):
    victim, other = debtor_with_ssn(agency, "1234"), debtor_with_ssn(agency, "9999")
    store_ciphertext(other, stored_ciphertext(victim))
    with pytest.raises(crypto.DecryptionFailed):
        _ = db.session.get(Debtor, other.id).ssn_last4
    assert db.session.get(Debtor, other.id).masked_ssn == "unreadable"
    assert db.session.get(Debtor, victim.id).masked_ssn == "***-**-1234"


def test_a_ciphertext_moved_to_another_column_does_not_decrypt(agency):
    debtor = debtor_with_ssn(agency, "1234")
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(stored_ciphertext(debtor), crypto.associated_data("debtors", "email", debtor.id))


def test_the_account_page_shows_a_corrupted_ssn_as_unreadable(login, admin, account):
    account.debtor.ssn_last4 = "5555"
    db.session.flush()
    token = stored_ciphertext(account.debtor)
    store_ciphertext(account.debtor, token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB"))
    web = login(admin)
    response = web.get(f"/accounts/{account.id}")
    assert response.status_code == 200
    assert "unreadable" in response.get_data(as_text=True) and "5555" not in response.get_data(as_text=True)


def test_garbage_in_the_column_is_unreadable_not_an_error(agency):
    debtor = debtor_with_ssn(agency, "1234")
    for garbage in ("v2.nokey.AAAA", f"v2.{crypto.keyring().primary.key_id}.!!not-base64!!", "v2", ""):
        store_ciphertext(debtor, garbage)
        assert db.session.get(Debtor, debtor.id).masked_ssn == "unreadable"


def test_rotation_re_encrypts_under_the_new_key(app, agency):
    debtor = debtor_with_ssn(agency, "1111")
    source = sftp_source(agency, password="hunter22")
    old_keys = list(app.config["ENCRYPTION_KEYS"])
    app.config["ENCRYPTION_KEYS"] = [Fernet.generate_key().decode(), *old_keys]
    try:
        result = app.test_cli_runner().invoke(args=["crypto", "rotate"])
        assert result.exit_code == 0 and "re-encrypted" in result.output
        app.config["ENCRYPTION_KEYS"] = app.config["ENCRYPTION_KEYS"][:1]  # old key retired
        assert crypto.decrypt(stored_ciphertext(debtor), aad(debtor)) == "1111"
        db.session.expire_all()
        assert db.session.get(ImportSource, source.id).password == "hunter22"
    finally:
        app.config["ENCRYPTION_KEYS"] = old_keys


def test_every_configured_key_decrypts_and_the_first_encrypts(app, agency):
    debtor = debtor_with_ssn(agency, "7777")
    old_keys = list(app.config["ENCRYPTION_KEYS"])
    app.config["ENCRYPTION_KEYS"] = [Fernet.generate_key().decode(), *old_keys]
    try:
        db.session.expire_all()
        assert db.session.get(Debtor, debtor.id).ssn_last4 == "7777"  # written under the second key
        assert crypto.encrypt("1", b"x").split(".")[1] == crypto._field_key(app.config["ENCRYPTION_KEYS"][0]).key_id
    finally:
        app.config["ENCRYPTION_KEYS"] = old_keys


def test_rotation_upgrades_a_legacy_fernet_value_which_pages_refuse_until_then(app, agency):
    debtor = f.DebtorFactory(agency_id=agency.id)
    store_ciphertext(debtor, Fernet(app.config["ENCRYPTION_KEYS"][0].encode()).encrypt(b"3030").decode())
    assert db.session.get(Debtor, debtor.id).masked_ssn == "unreadable"  # unbound: never read by a page
    result = app.test_cli_runner().invoke(args=["crypto", "rotate"])
    assert result.exit_code == 0
    db.session.expire_all()
    assert db.session.get(Debtor, debtor.id).masked_ssn == "***-**-3030"


def test_rotation_leaves_an_unreadable_value_and_says_so(app, agency):
    debtor = f.DebtorFactory(agency_id=agency.id)
    foreign = Fernet(Fernet.generate_key()).encrypt(b"9999").decode()
    store_ciphertext(debtor, foreign)
    result = app.test_cli_runner().invoke(args=["crypto", "rotate"])
    assert result.exit_code == 0 and "values are unreadable" in result.output
    assert stored_ciphertext(debtor) == foreign


def sftp_source(agency, name="creditor", **secrets) -> ImportSource:
    source = ImportSource(agency_id=agency.id, name=name, kind=SourceKind.SFTP, host="sftp.example.test")
    source.username, source.host_key = "drop", "ssh-ed25519 AAAA"
    for name, value in secrets.items():
        setattr(source, name, value)
    db.session.add(source)
    db.session.flush()
    return source


def test_an_unreadable_source_password_is_a_clear_connection_failure(agency):
    source = sftp_source(agency, password="hunter22")
    other = sftp_source(agency, "other", password="other")
    db.session.execute(
        update(ImportSource).where(ImportSource.id == other.id).values(password_encrypted=source.password_encrypted)
    )
    db.session.expire_all()
    ok, message = sources.test_connection(db.session.get(ImportSource, other.id))
    assert not ok and "unreadable" in message


def test_token_digest_is_the_sha256_of_the_token():
    assert crypto.token_digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_a_key_that_is_not_32_bytes_is_refused(app):
    with pytest.raises(ValueError, match="32 bytes"):
        crypto._field_key("c2hvcnQ=")
