"""Imports pages: admin only, agency-scoped, upload through the pipeline, live status block, CSV report."""

import io

import pytest

from app.imports.models import ImportJob, JobStatus
from tests.imports.conftest import HEADER

GOOD_AND_BAD = "external_ref,debtor_name,original_amount\nR1,Ann,10\nR2,=cmd|' /C calc'!A0,bad\n"


def _upload(web, text: str, name: str = "p.csv"):
    data = {"csrf_token": web.csrf(), "file": (io.BytesIO(text.encode()), name)}
    return web.client.post("/imports/upload", data=data, content_type="multipart/form-data")


@pytest.mark.parametrize("url", ["/imports/", "/imports/sources/", "/imports/sources/new"])
def test_collectors_get_403(login, collector, url):
    assert login(collector).get(url).status_code == 403


def test_anonymous_is_sent_to_login(web):
    response = web.get("/imports/")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


def test_upload_runs_the_pipeline_and_redirects_to_the_job(login, admin, db):
    web = login(admin)
    response = _upload(web, GOOD_AND_BAD)
    assert response.status_code == 303
    job = db.session.query(ImportJob).one()
    assert response.headers["Location"].endswith(f"/imports/{job.id}")
    assert (job.status, job.created, job.errors, job.trigger) == (
        JobStatus.COMPLETED_WITH_ERRORS,
        1,
        1,
        f"upload by {admin.username}",
    )
    page = web.get(f"/imports/{job.id}").get_data(as_text=True)
    assert "must be a positive decimal" in page and "hx-trigger" not in page


def test_upload_without_file_is_422(login, admin):
    web = login(admin)
    response = web.client.post("/imports/upload", data={"csrf_token": web.csrf()}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose a CSV file" in response.get_data(as_text=True)


def test_upload_over_the_limit_gets_a_clear_message(app, login, admin):
    web = login(admin)
    old = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    try:
        response = _upload(web, HEADER + "\n" + "x" * (1024 * 1024 + 10))
    finally:
        app.config["MAX_CONTENT_LENGTH"] = old
    assert response.status_code == 413 and "larger than the 1 MB upload limit" in response.get_data(as_text=True)


def test_status_block_polls_only_while_active(login, admin, db, agency):
    job = ImportJob(agency_id=agency.id, file_name="x.csv", sha256="0" * 64, status=JobStatus.RUNNING, total_lines=10,
                    lines_done=5)  # fmt: skip
    db.session.add(job)
    db.session.commit()
    web = login(admin)
    fragment = web.get(f"/imports/{job.id}", htmx=True, target="job-status").get_data(as_text=True)
    assert 'hx-trigger="every 2s"' in fragment and "<html" not in fragment and "50%" in fragment
    job.status = JobStatus.COMPLETED
    db.session.commit()
    fragment = web.get(f"/imports/{job.id}", htmx=True, target="job-status").get_data(as_text=True)
    assert "hx-trigger" not in fragment


def test_error_report_csv_neutralises_formulas(login, admin, db):
    web = login(admin)
    _upload(web, "external_ref,debtor_name,original_amount\n=HYPERLINK(1),Ann,bad\n")
    job = db.session.query(ImportJob).one()
    response = web.get(f"/imports/{job.id}/errors.csv")
    body = response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert body.splitlines()[1].startswith("2,original_amount,'=HYPERLINK(1),")


def test_other_agencys_job_is_404(login, admin, foreign, db):
    job = ImportJob(agency_id=foreign.agency.id, file_name="x.csv", sha256="1" * 64)
    db.session.add(job)
    db.session.commit()
    web = login(admin)
    assert web.get(f"/imports/{job.id}").status_code == 404
    assert web.get(f"/imports/{job.id}/errors.csv").status_code == 404


def test_errors_are_paginated(login, admin, db):
    web = login(admin)
    rows = "".join(f"R{i},Name,bad\n" for i in range(60))
    _upload(web, "external_ref,debtor_name,original_amount\n" + rows)
    job = db.session.query(ImportJob).one()
    first = web.get(f"/imports/{job.id}").get_data(as_text=True)
    second = web.get(f"/imports/{job.id}?page=2", htmx=True, target="row-errors").get_data(as_text=True)
    assert "R49" in first and "R50" not in first and "R50" in second and "<html" not in second


def test_list_shows_jobs_and_nav_link(login, admin, db):
    web = login(admin)
    _upload(web, GOOD_AND_BAD, name="portfolio.csv")
    page = web.get("/imports/").get_data(as_text=True)
    assert "portfolio.csv" in page and 'href="/imports/"' in page
