"""Analytics pages: admin-only, lazy panels as fragments, links behind figures, 422 on bad input, safe CSV."""

import pytest

from tests import factories as f

PANELS = ["/analytics/figures", "/analytics/trend", "/analytics/aging", "/analytics/collectors"]
CSVS = ["/analytics/figures.csv", "/analytics/trend.csv", "/analytics/aging.csv", "/analytics/collectors.csv"]


@pytest.mark.parametrize("url", ["/analytics/", *PANELS, *CSVS])
def test_collectors_are_refused(login, collector, url):
    assert login(collector).get(url).status_code == 403


def test_dashboard_frame_loads_panels_lazily(login, admin):
    response = login(admin).get("/analytics/")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in body
    for url in PANELS:
        assert f'hx-get="{url}' in body
    assert "Loading figures" in body


@pytest.mark.parametrize(
    "url,marker", list(zip(PANELS, ['id="figures"', 'id="trend"', 'id="aging"', 'id="collectors"'], strict=True))
)
def test_panels_answer_htmx_with_a_fragment(login, admin, url, marker):
    response = login(admin).get(url, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and marker in body and "<html" not in body


def test_figures_link_to_records_and_explain_themselves(login, admin, account):
    body = login(admin).get("/analytics/figures", htmx=True).get_data(as_text=True)
    assert 'href="/accounts/?status=new"' in body and 'href="/payments/' in body
    assert 'title="Net collected all time ÷ amount placed. The link' in body


def test_aging_buckets_drill_into_the_accounts_list(login, admin):
    body = login(admin).get("/analytics/aging", htmx=True).get_data(as_text=True)
    assert 'href="/accounts/?aging=31_60"' in body and 'href="/accounts/?aging=no_due_date"' in body


def test_trend_has_an_svg_and_a_table_view(login, admin):
    body = login(admin).get("/analytics/trend?granularity=week", htmx=True).get_data(as_text=True)
    assert "<svg" in body and 'role="img"' in body and 'id="trend-table"' in body and "Week starting" in body


@pytest.mark.parametrize(
    "url",
    [
        "/analytics/trend?granularity=hour",
        "/analytics/trend?from=2026-02-30",
        "/analytics/trend?from=2026-03-02&to=2026-03-01",
        "/analytics/collectors?pfrom=nope",
        "/analytics/trend.csv?granularity=year",
        "/analytics/?to=0001-01-01",
    ],
)
def test_bad_input_is_422_with_a_message(login, admin, url):
    web = login(admin)
    page = web.get(url)
    assert page.status_code == 422 and "<html" in page.get_data(as_text=True)
    fragment = web.get(url, htmx=True)
    assert fragment.status_code == 422 and fragment.headers["HX-Retarget"] == "#flash"


def test_csv_export_neutralises_formulas(login, admin, agency):
    f.CollectorFactory(agency=agency, full_name='=HYPERLINK("http://evil")')
    response = login(admin).get("/analytics/collectors.csv")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text


def test_second_agency_never_appears(login, admin, foreign):
    body = login(admin).get("/analytics/collectors", htmx=True).get_data(as_text=True)
    assert foreign.collector.full_name not in body
