"""Without JavaScript everything still works: the dashboard's panels, "Test connection", and import pages that
refresh themselves while a job runs and show its rejected rows when it ends (with JavaScript, htmx does the same)."""

import re
import uuid

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.imports.services import receive, run
from tests.browser.test_journeys import ADMIN, login

BAD_FILE = "external_ref,debtor_name,original_amount\r\n{0}-1,Robin Example,120.00\r\n{0}-2,Sam Example,12.345\r\n"


def test_dashboard_panels_render_without_javascript(new_page):
    page = new_page(java_script=False)
    login(page, ADMIN, lands_on="/analytics/")
    page.get_by_role("link", name="show the dashboard with every panel").click()
    expect(page.locator("#figures dl.figures")).to_be_visible()
    expect(page.locator("#aging tbody tr").first).to_be_visible()
    expect(page.locator("#trend svg.chart")).to_be_visible()
    expect(page.locator("#collectors tbody tr").first).to_be_visible()

    page.get_by_label("Granularity").select_option("month")
    page.locator("#trend").get_by_role("button", name="Show").click()
    expect(page.locator("#trend-table thead")).to_contain_text("Month starting")
    expect(page.locator("#figures dl.figures")).to_be_visible()  # the other panels stay filled in


@pytest.mark.parametrize("java_script", [False, True])
def test_test_connection_is_a_real_button(new_page, java_script):
    page = new_page(java_script=java_script)
    login(page, ADMIN, lands_on="/analytics/")
    page.goto("/imports/sources/")
    page.get_by_role("button", name="Test connection").first.click()
    expect(page.locator("[id^=test-result-]").first).to_have_text(re.compile(r"\w"))


@pytest.fixture
def queued_job(live_app, tmp_path):
    """A file received but not yet run (as between an SFTP poll and the worker picking it up); ``finish`` runs it."""
    tag = f"NOJS{uuid.uuid4().hex[:6]}"
    path = tmp_path / f"{tag}-placement.csv"
    path.write_text(BAD_FILE.format(tag), encoding="utf-8")
    with live_app.app_context():
        admin = db.session.scalars(select(User).where(User.username == ADMIN[0])).one()
        job_id = receive.receive_path(admin.agency_id, path, actor=admin).id
        db.session.remove()

    def finish():
        with live_app.app_context():
            run.run_import(job_id)
            db.session.remove()

    return job_id, tag, finish


@pytest.mark.parametrize("java_script", [False, True])
def test_import_pages_follow_a_running_job_to_its_rejected_rows(new_page, queued_job, java_script):
    job_id, tag, finish = queued_job
    page: Page = new_page(java_script=java_script)
    login(page, ADMIN, lands_on="/analytics/")
    listing = new_page(java_script=java_script)
    login(listing, ADMIN, lands_on="/analytics/")
    listing.goto("/imports/")
    row = listing.locator("#job-table tbody tr", has_text=f"{tag}-placement.csv")
    expect(row.locator(".badge")).to_have_text("Queued")
    page.goto(f"/imports/{job_id}")
    expect(page.locator("#job-status .badge")).to_have_text("Queued")

    finish()

    expect(page.locator("#job-status .badge")).to_have_text("Completed with errors")
    expect(page.locator("#row-errors tbody tr")).to_have_count(1)
    expect(page.locator("#row-errors tbody tr")).to_contain_text(f"{tag}-2")
    expect(row.locator(".badge")).to_have_text("Completed with errors")
