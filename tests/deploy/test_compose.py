"""deploy/compose.yaml: the services issue 17 asks for, their order, and the secrets `make compose-env` writes.

`make deploy-check` validates the file against the Compose specification's JSON schema.
"""

import re
import subprocess
import sys

from tests.deploy.conftest import DEPLOY, ROOT

APP_SERVICES = ("web", "worker", "cron")


def make_env(tmp_path) -> dict[str, str]:
    env_file = tmp_path / ".env"
    subprocess.run(  # noqa: S603
        [sys.executable, DEPLOY / "compose" / "make_env.py", "--env-file", env_file, "--sftp-dir", tmp_path],
        check=True,
        capture_output=True,
    )
    lines = env_file.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_the_services(compose):
    assert set(compose["services"]) == {
        *APP_SERVICES,
        "migrate",
        "postgres",
        "redis",
        "sftp",
        "sftp-seed",
        "prometheus",
        "grafana",
    }


def test_the_app_waits_for_the_one_shot_migration(compose):
    services = compose["services"]
    assert services["migrate"]["command"] == ["flask", "db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    for name in APP_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
        assert depends["postgres"]["condition"] == depends["redis"]["condition"] == "service_healthy", name
        assert services[name]["environment"]["DEBTFLOW_MIGRATE_ON_START"] == "0", name


def test_workers_scale_and_cron_is_one(compose):
    worker, cron = compose["services"]["worker"], compose["services"]["cron"]
    assert worker["command"][:2] == ["rq", "worker"] and "container_name" not in worker and "deploy" not in worker
    assert cron["command"] == ["rq", "cron", "jobs/cron.py"]
    assert cron["deploy"]["replicas"] == 1


def test_postgres_16_and_redis_7_with_volumes_and_health_checks(compose):
    postgres, redis = compose["services"]["postgres"], compose["services"]["redis"]
    assert re.fullmatch(r"postgres:16\.\d+-\w+", postgres["image"])
    assert re.fullmatch(r"redis:7\.\d+\.\d+-\w+", redis["image"])
    for service in (postgres, redis):
        assert service["healthcheck"]["test"] and service["volumes"][0].split(":")[0] in compose["volumes"]


def test_the_sftp_server_holds_the_sample_files_under_a_pinned_host_key(compose, tmp_path):
    seed, sftp = compose["services"]["sftp-seed"], compose["services"]["sftp"]
    # The seed writes the demo's three sample files (app/imports/demo.py) into the volume the server serves.
    code = seed["entrypoint"][-1].replace("/data/imports", str(tmp_path / "upload"))
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)  # noqa: S603
    assert len(list((tmp_path / "upload").glob("placement-*.csv"))) == 3
    assert seed["volumes"][0].split(":")[0] == sftp["volumes"][0].split(":")[0] == "sftp-upload"
    assert sftp["depends_on"]["sftp-seed"]["condition"] == "service_completed_successfully"
    assert "./compose/sftp/ssh_host_ed25519_key:/etc/ssh/ssh_host_ed25519_key:ro" in sftp["volumes"]
    # The app may reach the SFTP network (outbound connections refuse private addresses otherwise).
    subnet = compose["networks"]["sftp"]["ipam"]["config"][0]["subnet"]
    assert compose["x-app"]["environment"]["OUTBOUND_ALLOWED_NETWORKS"] == subnet


def test_prometheus_loads_the_repository_rules_and_grafana_the_repository_dashboards(compose):
    prometheus, grafana = compose["services"]["prometheus"], compose["services"]["grafana"]
    assert "./prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro" in prometheus["volumes"]
    scrape = (DEPLOY / "compose" / "prometheus.yml").read_text()
    assert "/etc/prometheus/alerts.yml" in scrape and "credentials_file: /etc/prometheus/metrics_token" in scrape
    assert "./grafana/dashboards:/var/lib/grafana/dashboards/debtflow:ro" in grafana["volumes"]
    provider = (DEPLOY / "compose" / "grafana" / "provisioning" / "dashboards" / "debtflow.yml").read_text()
    assert "path: /var/lib/grafana/dashboards/debtflow" in provider


def test_every_secret_compose_needs_is_written_by_make_compose_env(tmp_path):
    text = (DEPLOY / "compose.yaml").read_text()
    required = set(re.findall(r"\$\{([A-Z_]+):\?", text))
    values = make_env(tmp_path)
    assert required == set(values)
    assert all(len(value) >= 32 for value in values.values())
    public_key = (tmp_path / "ssh_host_ed25519_key.pub").read_text()
    assert public_key.startswith("ssh-ed25519 ")


def test_make_compose_env_never_overwrites_an_existing_env(tmp_path):
    first = make_env(tmp_path)
    assert make_env(tmp_path) == first
    key = (tmp_path / "ssh_host_ed25519_key.pub").read_text()
    make_env(tmp_path)
    assert (tmp_path / "ssh_host_ed25519_key.pub").read_text() == key
