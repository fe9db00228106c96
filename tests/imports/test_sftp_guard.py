"""SFTP sources and the outbound guard: internal addresses are refused before any connection, unless allowed.

The suite's configuration allows loopback (the SFTP test server listens there); these tests take it away.
"""

import socket

import pytest

from app import netguard
from app.imports import sftp
from app.imports.models import ImportSource
from app.imports.services import sources
from tests.imports.sftp_server import PASSWORD, USERNAME, SftpTestServer, free_port
from tests.imports.test_sftp import _source


@pytest.fixture
def no_allow_list(app, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOWED_NETWORKS", [])


@pytest.fixture
def listener():
    """A TCP port that is open, and tells whether anything connected to it."""
    sock = socket.create_server(("127.0.0.1", 0))
    sock.settimeout(0.3)

    def connected() -> bool:
        try:
            sock.accept()[0].close()
        except TimeoutError:
            return False
        return True

    yield sock.getsockname()[1], connected
    sock.close()


def _settings(host: str, port: int, host_key: str = "") -> sftp.SftpSettings:
    return sftp.SftpSettings(host, port, USERNAME, PASSWORD, None, host_key, "/upload", "/p", retries=3, backoff=0.01)


def test_open_and_closed_loopback_ports_get_the_same_answer_and_no_connection(no_allow_list, listener, agency, db):
    port, connected = listener
    answers = []
    for candidate in (port, free_port()):
        source = ImportSource(agency_id=agency.id, name=f"s{candidate}", host="127.0.0.1", port=candidate,
                              username="u", host_key="", pattern="*.csv", remote_dir="/upload")  # fmt: skip
        answers.append(sources.test_connection(source))
    assert answers[0] == (False, netguard.refusal("127.0.0.1")) == answers[1]
    assert not connected()


INTERNAL = ["169.254.169.254", "10.0.0.5", "192.168.1.1", "0.0.0.0", "::1", "localhost"]  # noqa: S104  (refused, not bound)


@pytest.mark.parametrize("host", INTERNAL)
def test_internal_hosts_are_refused_without_retrying(no_allow_list, host):
    with pytest.raises(sftp.AddressNotAllowed, match="DebtFlow does not connect there"):
        sftp.connect_with_retries(_settings(host, 22))


def test_the_connection_goes_to_the_checked_address_not_a_second_lookup(tmp_path, monkeypatch):
    """A name that resolves to an allowed address, then (rebinding) to the metadata service: one look-up only."""
    (tmp_path / "upload").mkdir()
    server = SftpTestServer(tmp_path).start()
    answers = iter(["127.0.0.1", "169.254.169.254"])
    real = socket.getaddrinfo
    looked_up = []

    def rebinding(host, port, *args, **kwargs):
        looked_up.append(host)
        target = next(answers) if host == "files.creditor.test" else host
        return real(target, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    try:
        with sftp.SftpFolder(_settings("files.creditor.test", server.port, server.host_key)) as folder:
            assert folder.list_files() == []
            assert folder.client.get_transport().getpeername()[0] == "127.0.0.1"
    finally:
        server.stop()
    assert looked_up.count("files.creditor.test") == 1


def test_a_source_on_an_internal_address_cannot_be_saved(server, no_allow_list, login, admin, db):
    values = {"name": "Metadata", "kind": "sftp", "host": "169.254.169.254", "port": 22, "username": USERNAME,
              "password": PASSWORD, "remote_dir": "/upload", "processed_dir": "/upload/processed", "pattern": "*.csv",
              "poll_interval_minutes": 15, "enabled": "y", "host_key": server.host_key}  # fmt: skip
    response = login(admin).post("/imports/sources/new", values)
    assert response.status_code == 422
    assert "DebtFlow does not connect there" in response.get_data(as_text=True)
    assert db.session.query(ImportSource).count() == 0


def test_test_connection_button_refuses_loopback_without_the_allow_list(server, no_allow_list, login, admin, db):
    source = _source(admin.agency, server, db)
    body = login(admin).post(f"/imports/sources/{source.id}/test", htmx=True).get_data(as_text=True)
    assert "DebtFlow does not connect there" in body and "Connected." not in body


@pytest.fixture
def server(tmp_path):
    (tmp_path / "sftp" / "upload").mkdir(parents=True)
    srv = SftpTestServer(tmp_path / "sftp").start()
    yield srv
    srv.stop()
