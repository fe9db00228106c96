"""Every metric the dashboards and alert rules use is one that a running DebtFlow really produces."""

import json
import re
from pathlib import Path

import yaml
from rq import Queue

from app import queue
from jobs.worker import SimpleWorker
from tests.ops.conftest import scrape
from tests.payments.helpers import pay

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
# Produced outside DebtFlow: kube-state-metrics (pod restarts) and node-exporter (disk space).
EXTERNAL = {"kube_pod_container_status_restarts_total", "node_filesystem_avail_bytes", "node_filesystem_size_bytes"}
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset"}
_NOISE = re.compile(r'\{[^}]*\}|"[^"]*"|\[[^\]]*\]|\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)')
_NAME = re.compile(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()")


def metric_names(expr: str) -> set[str]:
    """The metric names in a PromQL expression: identifiers left once label matchers, strings, ranges and
    grouping clauses are removed, that are neither function calls, keywords nor numbers."""
    names = set(_NAME.findall(_NOISE.sub(" ", expr)))
    return {n for n in names if n not in PROMQL_WORDS and not re.fullmatch(r"[0-9e]+", n)}


def expressions() -> dict[str, str]:
    """Every PromQL expression of the alert rules and dashboards, keyed by where it is."""
    found = {}
    for group in yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())["groups"]:
        for rule in group["rules"]:
            found[f"alert {rule['alert']}"] = rule["expr"]
    for path in sorted((DEPLOY / "grafana" / "dashboards").glob("*.json")):
        for panel in json.loads(path.read_text())["panels"]:
            for target in panel["targets"]:
                found[f"{path.name}: {panel['title']} {target['refId']}"] = target["expr"]
    return found


def test_the_extraction_finds_names_and_only_names():
    expr = 'histogram_quantile(0.95, sum by (le) (rate(foo_seconds_bucket{a="b"}[5m]))) > 1 and bar_total offset 5m'
    assert metric_names(expr) == {"foo_seconds_bucket", "bar_total"}


def run_a_job() -> None:
    """One job through DebtFlow's worker class (without forking), so job durations exist."""
    jobs = Queue("default", connection=queue.redis_connection())
    jobs.enqueue("jobs.imports.sweep_import_jobs")
    SimpleWorker([jobs], connection=jobs.connection).work(burst=True)


def test_every_dashboard_and_alert_metric_is_produced(client, agency, import_csv, assigned_account, collector):
    client.get("/health")
    import_csv(agency, "external_ref,debtor_name,original_amount\nN1,Ann Lee,10.00\n")
    pay(assigned_account, "10.00", collector)
    run_a_job()
    produced = {name for name, _labels in scrape(client)}
    wanted = {(where, name) for where, expr in expressions().items() for name in metric_names(expr)}
    assert len(expressions()) >= 9 + 4 * 6
    missing = sorted(f"{where}: {name}" for where, name in wanted if name not in produced | EXTERNAL)
    assert missing == []


def test_every_alert_links_its_runbook_and_each_runbook_has_an_alert():
    rules = [
        r for g in yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())["groups"] for r in g["rules"]
    ]
    runbooks = DEPLOY.parent / "docs" / "runbooks"
    for rule in rules:
        assert rule["annotations"]["runbook_url"] == f"docs/runbooks/{rule['alert']}.md"
        assert (DEPLOY.parent / rule["annotations"]["runbook_url"]).is_file(), rule["alert"]
    assert {p.stem for p in runbooks.glob("*.md")} == {r["alert"] for r in rules}
    assert len(rules) == 9
