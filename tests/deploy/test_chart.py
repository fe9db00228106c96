"""The Helm chart, rendered by Helm's engine (helm-python-sdk): what issue 17 asks of each component.

`make deploy-check` also validates every rendered object against the Kubernetes schemas and runs checkov.
"""

import json
from pathlib import Path

import pytest
import yaml

from tests.deploy.conftest import CHART, DEPLOY, find, pod_specs, render


def containers(objects):
    return [(name, c) for name, spec in pod_specs(objects) for c in spec["containers"]]


def test_web_scales_3_to_10_at_70_percent_cpu_and_a_drain_can_proceed(production_render):
    hpa = find(production_render, "HorizontalPodAutoscaler", "debtflow-web")["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (3, 10)
    assert hpa["metrics"][0]["resource"] == {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}
    pdb = find(production_render, "PodDisruptionBudget", "debtflow-web")["spec"]
    # maxUnavailable (not minAvailable = replicas) leaves the eviction API room to move one pod at a time.
    assert pdb["maxUnavailable"] == 1 < hpa["minReplicas"]
    # The HPA owns the replica count: a fixed one would be reset on every upgrade.
    assert "replicas" not in find(production_render, "Deployment", "debtflow-web")["spec"]


def test_web_is_served_over_tls_through_the_ingress(default_render):
    ingress = find(default_render, "Ingress", "debtflow")["spec"]
    assert ingress["tls"][0]["hosts"] == [ingress["rules"][0]["host"]]
    assert ingress["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] == "debtflow-web"
    service = find(default_render, "Service", "debtflow-web")["spec"]
    assert service["selector"]["app.kubernetes.io/component"] == "web"


def test_workers_scale_on_cpu_and_optionally_queue_depth(default_render, production_render):
    default = find(default_render, "HorizontalPodAutoscaler", "debtflow-worker")["spec"]["metrics"]
    assert [m["type"] for m in default] == ["Resource"]
    production = find(production_render, "HorizontalPodAutoscaler", "debtflow-worker")["spec"]["metrics"]
    assert [m["type"] for m in production] == ["Resource", "External"]
    worker = find(default_render, "Deployment", "debtflow-worker")["spec"]["template"]["spec"]["containers"][0]
    assert worker["args"] == ["rq", "worker", "-w", "jobs.worker.Worker", "imports", "default"]  # timed jobs


def test_exactly_one_cron_scheduler_replaced_not_rolled(any_render):
    cron = find(any_render, "Deployment", "debtflow-cron")["spec"]
    assert cron["replicas"] == 1
    assert cron["strategy"] == {"type": "Recreate"}
    assert cron["template"]["spec"]["containers"][0]["args"] == ["rq", "cron", "jobs/cron.py"]
    assert (DEPLOY.parent / "jobs" / "cron.py").exists()
    assert not [o for o in any_render if o["kind"] == "HorizontalPodAutoscaler" and "cron" in o["metadata"]["name"]]


def hook(obj) -> tuple[set[str], int]:
    annotations = obj["metadata"].get("annotations", {})
    return set(annotations.get("helm.sh/hook", "").split(",")) - {""}, int(annotations.get("helm.sh/hook-weight", 0))


def test_the_migration_job_is_a_pre_install_and_pre_upgrade_hook_after_its_config(default_render):
    job = find(default_render, "Job", "debtflow-migrate")
    events, weight = hook(job)
    assert events == {"pre-install", "pre-upgrade"}
    spec = job["spec"]["template"]["spec"]
    container = spec["containers"][0]
    assert container["args"] == ["flask", "db", "upgrade"]
    # What the Job needs exists before it: hooks of a lower weight are created (and waited for) first, and the
    # Secret is the pre-created existingSecret.
    config_name = container["envFrom"][0]["configMapRef"]["name"]
    config = find(default_render, "ConfigMap", config_name)
    account = find(default_render, "ServiceAccount", spec["serviceAccountName"])
    for needed in (config, account):
        needed_events, needed_weight = hook(needed)
        assert needed_events == events and needed_weight < weight
    assert container["envFrom"][1]["secretRef"]["name"] == "debtflow-secrets"
    # Long-running processes never migrate themselves.
    assert find(default_render, "ConfigMap", "debtflow-config")["data"]["DEBTFLOW_MIGRATE_ON_START"] == "0"


def test_cronjobs_write_audit_checkpoints_and_run_maintenance(default_render):
    checkpoint = find(default_render, "CronJob", "debtflow-audit-checkpoint")["spec"]
    pod = checkpoint["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["containers"][0]["args"] == ["flask", "audit", "checkpoint"]
    assert checkpoint["concurrencyPolicy"] == "Forbid"
    mounts = {m["mountPath"] for m in pod["containers"][0]["volumeMounts"]}
    assert "/data/audit-checkpoints" in mounts
    maintenance = find(default_render, "CronJob", "debtflow-maintenance")["spec"]
    maintenance_pod = maintenance["jobTemplate"]["spec"]["template"]["spec"]
    assert maintenance_pod["containers"][0]["args"] == ["flask", "audit", "verify"]


def test_secrets_are_referenced_never_inlined(any_render):
    assert not [o for o in any_render if o["kind"] == "Secret"]
    for name, container in containers(any_render):
        refs = [e["secretRef"]["name"] for e in container["envFrom"] if "secretRef" in e]
        assert refs and refs[0].startswith("debtflow"), name
    for config in (o for o in any_render if o["kind"] == "ConfigMap" and "dashboards" not in o["metadata"]["name"]):
        assert not {"SECRET_KEY", "DATABASE_URL", "DEBTFLOW_ENCRYPTION_KEYS"} & set(config["data"])


def test_rendering_without_an_existing_secret_is_refused():
    from helm_python.errors import HelmError

    with pytest.raises(HelmError, match="existingSecret"):
        render({"existingSecret": ""})


def test_every_container_is_bounded_unprivileged_and_read_only(any_render):
    for name, container in containers(any_render):
        assert set(container["resources"]) == {"requests", "limits"}, name
        security = container["securityContext"]
        assert security["readOnlyRootFilesystem"] and not security["allowPrivilegeEscalation"], name
        assert security["capabilities"]["drop"] == ["ALL"], name
    for name, spec in pod_specs(any_render):
        assert spec["securityContext"]["runAsNonRoot"] and spec["securityContext"]["runAsUser"] != 0, name
        assert spec["automountServiceAccountToken"] is False, name


def test_web_probes_health_and_ready(default_render):
    web = find(default_render, "Deployment", "debtflow-web")["spec"]["template"]["spec"]["containers"][0]
    assert web["livenessProbe"]["httpGet"]["path"] == "/health"
    assert web["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert web["startupProbe"]["httpGet"]["path"] == "/health"


def test_production_runs_images_by_digest(production_render):
    for name, container in containers(production_render):
        assert "@sha256:" in container["image"], name


def network_policies(objects):
    return {o["metadata"]["name"]: o["spec"] for o in objects if o["kind"] == "NetworkPolicy"}


def test_network_policies_deny_by_default_and_open_only_what_each_component_needs(default_render):
    policies = network_policies(default_render)
    deny = policies["debtflow-default-deny"]
    assert deny["policyTypes"] == ["Ingress", "Egress"] and "ingress" not in deny and "egress" not in deny
    assert "app.kubernetes.io/component" not in deny["podSelector"]["matchLabels"]
    # Web <- the ingress controller and the monitoring namespace (Prometheus), on the app's port only.
    web = policies["debtflow-web-ingress"]
    assert web["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "web"
    sources = [s["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for s in web["ingress"][0]["from"]]
    assert sources == ["ingress-nginx", "monitoring"]
    assert web["ingress"][0]["ports"] == [{"protocol": "TCP", "port": 8000}]
    # Everyone -> DNS, PostgreSQL, Redis.
    backing = policies["debtflow-backing-services"]["egress"]
    assert [sorted(p["port"] for p in rule["ports"]) for rule in backing] == [[53, 53], [5432], [6379]]
    # Workers -> SFTP; web and workers -> HTTPS (Stripe); public addresses only.
    sftp = policies["debtflow-worker-sftp"]
    assert sftp["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "worker"
    assert sftp["egress"][0]["ports"] == [{"protocol": "TCP", "port": 22}]
    assert "10.0.0.0/8" in sftp["egress"][0]["to"][0]["ipBlock"]["except"]
    https = policies["debtflow-public-egress"]
    components = [e for e in https["podSelector"]["matchExpressions"] if e["key"] == "app.kubernetes.io/component"]
    assert components[0]["values"] == ["web", "worker"]


def test_each_worker_serves_its_metrics_to_the_monitoring_namespace_only(default_render):
    [worker] = [c for name, c in containers(default_render) if name == "Deployment/debtflow-worker"]
    assert {"name": "DEBTFLOW_WORKER_METRICS_PORT", "value": "9100"} in worker["env"]
    assert worker["ports"] == [{"name": "metrics", "containerPort": 9100, "protocol": "TCP"}]
    service = find(default_render, "Service", "debtflow-worker-metrics")["spec"]
    assert service["clusterIP"] == "None" and service["selector"]["app.kubernetes.io/component"] == "worker"
    policy = network_policies(default_render)["debtflow-worker-metrics"]
    assert policy["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "worker"
    [rule] = policy["ingress"]
    assert [s["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for s in rule["from"]] == [
        "monitoring"
    ]
    assert rule["ports"] == [{"protocol": "TCP", "port": 9100}]


def test_the_dashboards_configmap_carries_the_repository_dashboards_unchanged(default_render):
    # The chart's dashboards/ is a link to deploy/grafana/dashboards (Helm follows it when it loads or packages
    # the chart), so compose and the chart provision the same files; this holds whatever the folder holds.
    link = CHART / "dashboards"
    assert link.is_symlink() and link.resolve() == (DEPLOY / "grafana" / "dashboards").resolve()
    expected = {p.name: p.read_text() for p in sorted((DEPLOY / "grafana" / "dashboards").glob("*.json"))}
    config = find(default_render, "ConfigMap", "debtflow-dashboards")
    assert (config["data"] or {}) == {name: text.rstrip("\n") for name, text in expected.items()}
    for text in expected.values():
        json.loads(text)
    assert config["metadata"]["labels"]["grafana_dashboard"] == "1"


def test_every_value_is_documented():
    """Each top-level key of values.yaml has a comment above it or on its first line."""
    lines = (CHART / "values.yaml").read_text().splitlines()
    keys = [i for i, line in enumerate(lines) if line and line[0].isalpha()]
    for index in keys:
        above = lines[index - 1] if index else ""
        assert above.startswith("#") or "#" in lines[index] or lines[index + 1].lstrip().startswith("#"), lines[index]


def test_the_checkov_skip_list_gives_a_reason_for_each_skip():
    skips = yaml.safe_load((DEPLOY / "checks" / "checkov-skips.yaml").read_text())
    for framework, entries in skips.items():
        for check, reason in (entries or {}).items():
            assert check.startswith("CKV") and len(reason.split()) >= 8, (framework, check)
    for path in Path(DEPLOY / "terraform").rglob("*.tf"):
        for line in path.read_text().splitlines():
            if "checkov:skip=" in line:
                check, _, reason = line.split("checkov:skip=", 1)[1].partition(":")
                assert check.startswith("CKV") and len(reason.split()) >= 6, (path.name, line)
