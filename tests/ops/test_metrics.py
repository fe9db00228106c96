"""/metrics: requests, imports, payments, the breaker, queues, pools and accounts move as things happen."""

from prometheus_client.parser import text_string_to_metric_families

from app.payments.services.breaker import stripe_breaker
from tests import factories as f
from tests.ops.conftest import scrape, value
from tests.payments.helpers import pay

CSV = "external_ref,debtor_name,original_amount\nM1,Ann Lee,10.00\nM2,Bob Roe,20.00\nM3,,x\n"


def test_requests_are_counted_by_endpoint_method_and_status(client):
    before = scrape(client)
    client.get("/health")
    client.get("/health")
    client.get("/no-such-page")
    after = scrape(client)
    health = {"endpoint": "ops.health", "method": "GET", "status": "200"}
    assert (
        value(after, "debtflow_http_requests_total", **health) - value(before, "debtflow_http_requests_total", **health)
        == 2
    )
    missing = {"endpoint": "unmatched", "status": "404"}
    assert (
        value(after, "debtflow_http_requests_total", **missing)
        - value(before, "debtflow_http_requests_total", **missing)
        == 1
    )
    timed = {"endpoint": "ops.health", "method": "GET"}
    assert (
        value(after, "debtflow_http_request_duration_seconds_count", **timed)
        - value(before, "debtflow_http_request_duration_seconds_count", **timed)
        == 2
    )


def test_an_import_counts_its_file_its_rows_and_its_duration(client, agency, import_csv):
    before = scrape(client)
    import_csv(agency, CSV)
    after = scrape(client)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("debtflow_import_files_total", outcome="completed_with_errors") == 1
    assert moved("debtflow_import_rows_total", outcome="created") == 2
    assert moved("debtflow_import_rows_total", outcome="rejected") == 1
    assert moved("debtflow_import_duration_seconds_count") == 1


def test_a_payment_counts_by_method_and_status_and_adds_what_it_collected(client, assigned_account, collector):
    before = scrape(client)
    pay(assigned_account, "120.50", collector, method="cash")
    after = scrape(client)
    labels = {"method": "cash", "status": "completed"}
    assert value(after, "debtflow_payments_total", **labels) - value(before, "debtflow_payments_total", **labels) == 1
    collected = "debtflow_payments_collected_amount_total"
    assert value(after, collected, method="cash") - value(before, collected, method="cash") == 120.50


def test_a_refused_payment_is_not_counted(client, assigned_account, collector):
    before = scrape(client)
    try:
        pay(assigned_account, "5000.00", collector)  # above the balance: the service refuses it
    except Exception:  # noqa: S110  (the refusal is the point; what matters is the metric)
        pass
    after = scrape(client)
    assert value(after, "debtflow_payments_total") == value(before, "debtflow_payments_total")


def test_the_breaker_state_is_reported(app, client):
    assert value(scrape(client), "debtflow_stripe_circuit_state", state="closed") == 1
    breaker = stripe_breaker()
    breaker.store.open(breaker.clock())
    try:
        found = scrape(client)
        assert value(found, "debtflow_stripe_circuit_state", state="open") == 1
        assert value(found, "debtflow_stripe_circuit_state", state="closed") == 0
    finally:
        breaker.store.close()


def test_queues_workers_pools_and_accounts_are_reported(client, agency):
    f.AccountFactory(agency=agency)
    found = scrape(client)
    assert value(found, "debtflow_redis_up") == 1
    assert ("debtflow_rq_queue_jobs", frozenset({("queue", "imports")})) in found
    assert ("debtflow_rq_failed_jobs", frozenset({("queue", "default")})) in found
    assert ("debtflow_rq_workers", frozenset()) in found
    assert value(found, "debtflow_db_pool_connections_limit") >= 1
    assert value(found, "debtflow_db_pool_connections_in_use") >= 1  # this scrape holds one
    assert value(found, "debtflow_accounts", status="new") >= 1


def test_a_configured_token_is_required(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "s3cret-metrics")
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    response = client.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics"})
    assert response.status_code == 200
    assert list(text_string_to_metric_families(response.get_data(as_text=True)))
