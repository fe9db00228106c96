"""``flask imports run-file``: one JSON line, exit 0 unless the file itself could not be processed."""

import json


def test_run_file_prints_summary(app, agency, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("external_ref,debtor_name,original_amount,colour\nR1,Ann,10,red\nR2,Bob,x,blue\n")
    result = app.test_cli_runner().invoke(args=["imports", "run-file", "--agency", agency.slug, str(path)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert {k: summary[k] for k in ("status", "total", "created", "updated", "errors")} == {
        "status": "completed_with_errors", "total": 2, "created": 1, "updated": 0, "errors": 1,
    }  # fmt: skip
    assert summary["job_id"] and summary["unknown_columns"] == ["colour"]
    assert isinstance(summary["seconds"], float)  # the pipeline's own time, for operators and the bench


def test_run_file_exits_1_when_the_file_is_unusable(app, agency, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("ref,name\nR1,Ann\n")
    result = app.test_cli_runner().invoke(args=["imports", "run-file", "--agency", agency.slug, str(path)])
    assert result.exit_code == 1
    assert json.loads(result.output.strip().splitlines()[-1])["status"] == "failed"


def test_unknown_agency_is_an_error(app, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("x\n")
    result = app.test_cli_runner().invoke(args=["imports", "run-file", "--agency", "nope", str(path)])
    assert result.exit_code != 0 and "no agency" in result.output
