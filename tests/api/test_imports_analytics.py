"""``/api/v1/imports``, ``/api/v1/analytics`` and ``/api/v1/collectors``: admins only, through the pages' services."""

import io

import pytest

from app.imports.models import ImportSource, SourceKind
from tests.payments.helpers import pay

GOOD_AND_BAD = "external_ref,debtor_name,original_amount\nR1,Ann,10\nR2,Bob,bad\n"


def upload(api, text: str = GOOD_AND_BAD, name: str = "p.csv"):
    data = {"file": (io.BytesIO(text.encode()), name)}
    return api.client.post("/api/v1/imports/", data=data, headers=api.headers(), content_type="multipart/form-data")


def test_an_upload_runs_the_pipeline_and_answers_202_with_the_jobs_url(api_as, admin):
    api = api_as(admin)
    response = upload(api)
    assert response.status_code == 202 and response.json["url"].endswith(f"/api/v1/imports/{response.json['id']}/")
    job = api.client.get(response.json["url"], headers=api.headers()).json
    assert (job["status"], job["processed_ok"], job["processed_errors"], job["progress"]) == (
        "completed_with_errors",
        1,
        1,
        100,
    )
    errors = api.get(f"/imports/{job['id']}/errors/").json["results"]
    assert [(e["line"], e["column"]) for e in errors] == [(3, "original_amount")]
    assert [j["id"] for j in api.get("/imports/").json["results"]] == [job["id"]]


def test_an_upload_without_a_file_is_a_422(api_as, admin):
    api = api_as(admin)
    response = api.client.post("/api/v1/imports/", headers=api.headers(), content_type="multipart/form-data")
    assert response.status_code == 422 and "file" in response.json["errors"]


def test_trigger_polls_the_agencys_enabled_sources(api_as, admin, tmp_path):
    from app.extensions import db

    db.session.add(
        ImportSource(agency_id=admin.agency_id, name="Drop", kind=SourceKind.LOCAL, remote_dir=str(tmp_path))
    )
    db.session.commit()
    response = api_as(admin).post("/imports/trigger/")
    assert response.status_code == 202 and response.json == {"status": "triggered", "sources": 1}


@pytest.mark.parametrize(
    "path",
    [
        "/imports/",
        "/imports/trigger/",
        "/analytics/dashboard/",
        "/analytics/collectors/",
        "/analytics/payments/trends/",
        "/analytics/aging-report/",
        "/collectors/",
    ],
)
def test_collectors_get_403(api_as, collector, path):
    api = api_as(collector)
    response = api.post(path) if path.endswith("trigger/") else api.get(path)
    assert response.status_code == 403


def test_the_analytics_answer_money_as_strings(api_as, admin, collector, assigned_account):
    pay(assigned_account, "250.00", collector)
    api = api_as(admin)
    dashboard = api.get("/analytics/dashboard/").json
    assert dashboard["total_collected"] == "250.00" and dashboard["total_outstanding"] == "750.00"
    trend = api.get("/analytics/payments/trends/?granularity=week&days=14").json
    assert sum(p["count"] for p in trend) == 1 and {p["total"] for p in trend} >= {"250.00"}
    aging = api.get("/analytics/aging-report/").json
    assert {row["bucket"] for row in aging} and all(isinstance(r["total_balance"], str) for r in aging)
    perf = api.get("/analytics/collectors/").json
    assert [r["total_collected"] for r in perf if r["collector_id"] == collector.id] == ["250.00"]


@pytest.mark.parametrize("query", ["granularity=year", "from=2026-13-01", "from=2026-02-01&to=2026-01-01"])
def test_bad_trend_arguments_are_a_422(api_as, admin, query):
    assert api_as(admin).get(f"/analytics/payments/trends/?{query}").status_code == 422


def test_collectors_list_and_detail(api_as, admin, collector):
    api = api_as(admin)
    rows = api.get("/collectors/").json["results"]
    assert [r["id"] for r in rows] == [collector.id] and rows[0]["max_accounts"] > 0
    assert api.get(f"/collectors/{collector.id}/").json["full_name"] == collector.full_name
    assert api.get(f"/collectors/{admin.id}/").status_code == 404


def test_a_multipart_part_without_a_name_is_a_clear_4xx(api_as, admin):
    """Found by schemathesis: a form part with no name reached the NUL check as None (a 500)."""
    api = api_as(admin)
    body = b"--XX\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--XX--\r\n"
    headers = api.headers()
    response = api.client.post(
        "/api/v1/imports/", data=body, headers=headers, content_type="multipart/form-data; boundary=XX"
    )
    assert 400 <= response.status_code < 500 and set(response.json) == {"detail", "errors"}
