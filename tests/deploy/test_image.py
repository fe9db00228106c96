"""deploy/Dockerfile and deploy/entrypoint.sh (hadolint lints the Dockerfile in `make deploy-check`)."""

import os
import re
import subprocess

from tests.deploy.conftest import DEPLOY, ROOT

DOCKERFILE = (DEPLOY / "Dockerfile").read_text()


def stages() -> list[str]:
    return re.split(r"^FROM ", DOCKERFILE, flags=re.M)[1:]


def test_bases_are_pinned_to_exact_versions():
    bases = re.findall(r"^FROM (\S+)", DOCKERFILE, flags=re.M)
    external = [image for image in bases if image != "base"]
    assert len(external) == 2
    for image in external:
        assert re.search(r":\d+\.\d+\.\d+-[a-z-]+$|@sha256:[0-9a-f]{64}$", image), image


def test_the_final_image_is_non_root_without_build_tools_and_checks_its_health():
    final = stages()[-1]
    assert re.search(r"^USER 10001:10001$", final, flags=re.M)
    assert "HEALTHCHECK" in final and "/health" in final
    assert not re.search(r"apt-get|gcc|build-essential|npm|pip install", final)
    assert "COPY --from=build /opt/venv /opt/venv" in final


def test_dependencies_come_from_the_hashed_lock():
    build = next(stage for stage in stages() if " AS build" in stage)
    assert "pip install --require-hashes --no-deps -r /tmp/requirements.txt" in build


def test_one_image_runs_web_worker_cron_and_migrations():
    assert 'ENTRYPOINT ["/app/deploy/entrypoint.sh"]' in DOCKERFILE
    assert 'CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"]' in DOCKERFILE
    for needed in ("app/", "jobs/", "migrations/", "templates/", "static/", "wsgi.py"):
        assert needed in DOCKERFILE


def test_the_build_context_leaves_out_secrets_and_local_state():
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    for entry in (".git", ".env", ".venv", "instance", "node_modules"):
        assert entry in ignored


def test_the_entrypoint_skips_migrations_where_a_one_shot_job_runs_them(tmp_path):
    # No flask on PATH: reaching the command proves the entry point did not try to migrate.
    env = {"PATH": "/usr/bin:/bin", "DEBTFLOW_MIGRATE_ON_START": "0", "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "m")}
    command = ["/bin/sh", DEPLOY / "entrypoint.sh", "echo", "started"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=True)  # noqa: S603
    assert result.stdout == "started\n"
    assert (tmp_path / "m").is_dir()
    assert os.access(DEPLOY / "entrypoint.sh", os.X_OK)
