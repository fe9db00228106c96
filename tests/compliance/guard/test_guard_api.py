"""The API's contact check and contact log: allowed, blocked with reasons (409), listed, and isolated."""

from datetime import UTC, datetime, timedelta

import pytest

from app.compliance.models import RequestKind
from app.extensions import db
from tests.compliance.guard.conftest import open_request

NOON = datetime(2026, 6, 2, 19, 0, tzinfo=UTC)  # 12:00 in San Francisco


def check_url(account, **query) -> str:
    args = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/accounts/{account.id}/contact-check/?{args}"


def test_the_check_answers_allowed_with_the_debtors_local_time(api_as, collector, west):
    response = api_as(collector).get(check_url(west, channel="call", at=NOON.isoformat().replace("+", "%2B")))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["allowed"] is True and body["reasons"] == [] and body["attempts_in_window"] == 0
    assert body["debtor_local_time"].startswith("2026-06-02T12:00:00-07:00")


def test_the_check_without_trailing_slash_and_at_defaulting_to_now(api_as, collector, west):
    response = api_as(collector).get(f"/accounts/{west.id}/contact-check?channel=sms")
    assert response.status_code == 200 and set(response.get_json()) == {
        "allowed", "reasons", "next_allowed_at", "debtor_local_time", "attempts_in_window"
    }  # fmt: skip


def test_logging_seven_calls_then_the_eighth_is_a_409_with_the_reasons(api_as, collector, west):
    api = api_as(collector)
    for hour in range(7):
        at = (NOON + timedelta(hours=hour % 5, days=hour // 5)).isoformat()
        created = api.post(f"/accounts/{west.id}/contacts/", {"channel": "call", "direction": "outbound",
                                                                    "outcome": "no_answer", "at": at})  # fmt: skip
        assert created.status_code == 201, created.get_json()
    at = (NOON + timedelta(days=2)).isoformat()
    refused = api.post(f"/accounts/{west.id}/contacts", {"channel": "call", "direction": "outbound",
                                                                "outcome": "no_answer", "at": at})  # fmt: skip
    assert refused.status_code == 409
    body = refused.get_json()
    assert [r["rule"] for r in body["reasons"]] == ["call_frequency"]
    assert body["next_allowed_at"] == (NOON + timedelta(days=7)).isoformat() and body["detail"]
    check = api.get(check_url(west, at=at.replace("+", "%2B"))).get_json()
    assert check["allowed"] is False and check["reasons"] == body["reasons"] and check["attempts_in_window"] == 7
    listed = api.get(f"/accounts/{west.id}/contacts/?page_size=5").get_json()
    assert len(listed["results"]) == 5 and listed["next"] and listed["results"][0]["outcome"] == "no_answer"


def test_an_attorney_on_file_is_a_409_naming_the_attorney(api_as, collector, west):
    open_request(west, RequestKind.ATTORNEY, details={"name": "Jane Counsel", "firm": "Counsel & Co"})
    db.session.commit()
    response = api_as(collector).post(
        f"/accounts/{west.id}/contacts/", {"channel": "email", "direction": "outbound", "outcome": "no_answer"}
    )
    assert response.status_code == 409 and "Jane Counsel, Counsel & Co" in response.get_json()["reasons"][0]["detail"]


def test_bad_input_is_a_422(api_as, collector, west):
    api = api_as(collector)
    base = {"channel": "call", "direction": "outbound", "outcome": "busy"}
    for body in ({**base, "channel": "fax"}, {**base, "at": "2026-06-02T12:00:00"}, {**base, "phone": "nope"}):
        assert api.post(f"/accounts/{west.id}/contacts/", body).status_code == 422
    assert api.get(check_url(west, at="9999-01-01T00:00:00Z")).status_code == 422


@pytest.mark.parametrize("who", ["foreign_admin", "other_collector"])
def test_another_agencys_or_collectors_account_is_a_404(api_as, west, foreign, other_collector, who):
    api = api_as(foreign.admin if who == "foreign_admin" else other_collector)
    assert api.get(check_url(west, channel="call")).status_code == 404
    assert api.get(f"/accounts/{west.id}/contacts/").status_code == 404
    body = {"channel": "call", "direction": "outbound", "outcome": "busy"}
    assert api.post(f"/accounts/{west.id}/contacts/", body).status_code == 404
