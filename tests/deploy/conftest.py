"""Fixtures for the deployment artefacts: the Helm chart rendered by Helm's own engine, compose.yaml parsed."""

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
CHART = DEPLOY / "helm" / "debtflow"


def render(values: dict | None = None) -> list[dict]:
    """Every object the chart renders with ``values`` over its defaults (release debtflow in namespace debtflow)."""
    from helm_python import Chart

    rendered = Chart.load(CHART).render(values, name="debtflow", namespace="debtflow", is_install=True)
    return [doc for text in rendered.values() for doc in yaml.safe_load_all(text) if doc]


def values_file(name: str) -> dict:
    return yaml.safe_load((CHART / f"values-{name}.yaml").read_text())


@pytest.fixture(scope="session")
def default_render() -> list[dict]:
    return render()


@pytest.fixture(scope="session")
def production_render() -> list[dict]:
    return render(values_file("production"))


@pytest.fixture(scope="session", params=["default", "staging", "production"])
def any_render(request) -> list[dict]:
    return render(values_file(request.param) if request.param != "default" else None)


@pytest.fixture(scope="session")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def find(objects: list[dict], kind: str, name: str) -> dict:
    matches = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind}/{name}: {len(matches)} rendered"
    return matches[0]


def pod_specs(objects: list[dict]) -> list[tuple[str, dict]]:
    """(kind/name, pod spec) of every workload: Deployments, Jobs and CronJobs."""
    specs = []
    for obj in objects:
        spec = obj.get("spec", {})
        if obj["kind"] == "CronJob":
            spec = spec["jobTemplate"]["spec"]
        if obj["kind"] in ("Deployment", "Job", "CronJob"):
            specs.append((f"{obj['kind']}/{obj['metadata']['name']}", spec["template"]["spec"]))
    return specs


@pytest.fixture(autouse=True)
def db():
    """These tests read files and render templates; they need no database (overrides the suite's fixture)."""
    yield None


@pytest.fixture(autouse=True)
def fresh_limits():
    yield None
