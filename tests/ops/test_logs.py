"""Structured logs: JSON lines with the request's context, and no secret that a request carried ever in them."""

import json
import logging

from app.ops import logs
from tests import factories as f

PASSWORD = "Canary-Passw0rd-71x"  # noqa: S105  (a planted value, found nowhere in the output)
PAY_TOKEN = "canarypaytoken0123456789abcdef"  # noqa: S105
BEARER = "canary-bearer-token-5f2e"  # noqa: S105
SSN = "219-09-9999"
CARD = "4111 1111 1111 1111"
BODY = "canary body text 8c1d"
QUERY = "canaryquery77"
CANARIES = (PASSWORD, PAY_TOKEN, BEARER, SSN, CARD, CARD.replace(" ", ""), "219099999", BODY, QUERY)


def lines(captured: str) -> list[dict]:
    return [json.loads(line) for line in captured.splitlines() if line.startswith("{")]


def plant_everything(web, admin, account) -> None:
    """Send every kind of secret the app receives, in forms, paths, headers and query strings."""
    web.post("/login", {"username": admin.username, "password": PASSWORD})  # a failed sign-in
    web.post("/ops/login", {"email": "ops@platform.test", "password": PASSWORD})  # and an operator's
    web.login(admin)
    web.post(f"/accounts/{account.id}/notes", {"body": f"{BODY} ssn {SSN} card {CARD}"})
    data = {"amount": "10.00", "method": "check", "reference": CARD, "idempotency_key": "k" * 32}
    web.post(f"/payments/accounts/{account.id}/manual", data)
    web.client.get(f"/payments/pay/{PAY_TOKEN}")
    web.client.get(f"/accounts/?q={QUERY}", headers={"Authorization": f"Bearer {BEARER}"})
    web.client.post("/api/v1/payments/card-requests", json={"account_id": account.id, "card": CARD, "ssn": SSN})
    web.client.get("/no-such-page", headers={"X-Api-Key": BEARER})


def test_no_planted_secret_reaches_any_log_output(web, admin, agency, capsys, caplog):
    account = f.AccountFactory(agency=agency)
    with caplog.at_level(logging.DEBUG):
        plant_everything(web, admin, account)
        # What code may log by mistake (an exception quoting a value) is scrubbed too.
        logging.getLogger("debtflow.test").warning("card %s ssn %s password=%s", CARD, SSN, PASSWORD)
        logging.getLogger("debtflow.test").warning("upstream said: Authorization: Bearer %s", BEARER)
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert '"message": "request"' in output  # the log was really captured
    for canary in CANARIES:
        assert canary not in output, canary


def test_each_request_line_carries_its_context(web, admin, capsys):
    web.login(admin)
    web.client.get("/accounts/", headers={"X-Request-ID": "from-the-client"})
    request_lines = [line for line in lines(capsys.readouterr().out) if line.get("message") == "request"]
    last = request_lines[-1]
    assert last["route"] == "/accounts/" and last["method"] == "GET" and last["status"] == 200
    assert last["user_id"] == admin.id and last["agency_id"] == admin.agency_id
    assert isinstance(last["duration_ms"], float) and last["level"] == "INFO"
    assert last["request_id"] != "from-the-client" and len(last["request_id"]) == 32  # no trusted proxy: ours


def test_a_trusted_proxys_request_id_is_kept_and_returned(app, client, monkeypatch, capsys):
    monkeypatch.setitem(app.config, "TRUST_REQUEST_ID", True)
    response = client.get("/health", headers={"X-Request-ID": "proxy-id-42"})
    assert response.headers["X-Request-ID"] == "proxy-id-42"
    assert lines(capsys.readouterr().out)[-1]["request_id"] == "proxy-id-42"


def test_an_untrusted_request_id_is_replaced_and_returned(client):
    response = client.get("/health", headers={"X-Request-ID": "spoofed"})
    assert response.headers["X-Request-ID"] not in ("", "spoofed")


def test_scrub_keeps_ordinary_numbers():
    assert logs.scrub("job 1234 took 56 ms, 7 rows") == "job 1234 took 56 ms, 7 rows"
    assert logs.scrub("request a4421567890123456789bcd") == "request a4421567890123456789bcd"
    assert logs.scrub("card 4242-4242-4242-4242 ssn 123456789") == "card [redacted] ssn [redacted]"
