"""The CI/CD workflows and the Terraform layout (actionlint, terraform fmt and checkov run in `make deploy-check`)."""

import re

import yaml

from tests.deploy.conftest import DEPLOY, ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
TERRAFORM = DEPLOY / "terraform" / "aws"


def workflow(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def test_ci_tests_on_both_databases_with_service_containers_and_checks_the_deployment():
    ci = workflow("ci.yml")
    test = ci["jobs"]["test"]
    assert set(test["services"]) == {"postgres", "redis"}
    assert test["strategy"]["matrix"]["database"] == ["sqlite", "postgresql"]
    assert any(step.get("run") == "make deploy-check" for step in ci["jobs"]["deploy-check"]["steps"])


def test_staging_deploys_every_main_commit_and_production_each_version_tag():
    staging, production = workflow("deploy-staging.yml"), workflow("deploy-production.yml")
    assert staging["on"] == {"push": {"branches": ["main"]}}
    assert re.fullmatch(r"v\[0-9\]\+\.\[0-9\]\+\.\[0-9\]\+", production["on"]["push"]["tags"][0])
    for flow, environment in ((staging, "staging"), (production, "production")):
        assert flow["jobs"]["build"]["uses"] == "./.github/workflows/build-push.yml"
        deploy = flow["jobs"]["deploy"]
        assert deploy["needs"] == "build" and deploy["with"]["environment"] == environment
        assert deploy["with"]["digest"] == "${{ needs.build.outputs.digest }}"
        assert (DEPLOY / "helm" / "debtflow" / f"values-{environment}.yaml").exists()


def test_a_failed_rollout_or_health_check_rolls_back():
    steps = workflow("deploy.yml")["jobs"]["deploy"]["steps"]
    names = [step.get("name", "") for step in steps]
    upgrade = steps[names.index("Helm upgrade (migration hook, then rollout)")]
    assert "--wait" in upgrade["run"] and "image.digest" in upgrade["run"]
    health = steps[names.index("Post-deploy health check (/ready through the ingress, 5 minutes at most)")]
    assert "/ready" in health["run"]
    rollback = steps[-1]
    assert rollback["if"].startswith("failure()") and "helm rollback" in rollback["run"]
    assert names.index("Roll back to the previous revision") > names.index(health["name"])


def test_terraform_has_the_modules_and_thin_environment_roots():
    modules = {p.name for p in (TERRAFORM / "modules").iterdir()}
    assert {"networking", "eks", "rds", "elasticache", "s3", "ecr", "iam", "secrets", "dns"} <= modules
    for env in ("staging", "production"):
        main = (TERRAFORM / "envs" / env / "main.tf").read_text()
        assert main.count("module ") == 1 and "resource " not in main, env
        assert f'environment              = "{env}"' in main


def test_production_database_is_multi_az_and_every_store_is_encrypted():
    production = (TERRAFORM / "envs" / "production" / "main.tf").read_text()
    assert re.search(r"db_multi_az\s+= true", production)
    rds = (TERRAFORM / "modules" / "rds" / "main.tf").read_text()
    assert 'family = "postgres16"' in rds and re.search(r'engine_version\s+= "16"', rds)
    assert re.search(r"storage_encrypted\s+= true", rds) and "backup_retention_period" in rds
    redis = (TERRAFORM / "modules" / "elasticache" / "main.tf").read_text()
    assert re.search(r"transit_encryption_enabled\s+= true", redis) and "auth_token" in redis
    assert re.search(r'engine_version\s+= "7\.\d+"', redis)
    s3 = (TERRAFORM / "modules" / "s3" / "main.tf").read_text()
    assert 'storage_class = "GLACIER"' in s3 and "days          = 90" in s3 and 'mode = "COMPLIANCE"' in s3
