"""The dbt unit tests pin each rule of the metrics spec on fixtures. The daily run leaves
them out (they test the SQL, not the day's data), so CI runs them here, on DuckDB, against
the warehouse of a real build: dbt reads each unit test's input columns from it."""

from __future__ import annotations

import json

import pytest

from conftest import DAILY_RUN_RESULTS
from threec.cli import main
from threec.dbt import run_results

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("checks")]


def test_unit_tests_run_in_ci_not_in_the_daily_build(built_council, monkeypatch, capsys):
    settings, _ = built_council
    # its daily build ran models and data tests only
    daily = json.loads((settings.state_dir / DAILY_RUN_RESULTS).read_text())["results"]
    kinds = {r["unique_id"].split(".", 1)[0] for r in daily}
    assert {"model", "test", "seed"} <= kinds
    assert "unit_test" not in kinds

    for name, value in settings.child_env().items():
        if name.startswith("THREEC_"):
            monkeypatch.setenv(name, value)
    assert main(["unit-tests", "-q"]) == 0
    assert "all passed" in capsys.readouterr().out
    # every invocation also runs the project's on-run-start hook (a no-op off Spark)
    results = [r for r in run_results(settings) if not r["unique_id"].startswith("operation.")]
    assert {r["unique_id"].split(".", 1)[0] for r in results} == {"unit_test"}
    assert len(results) >= 30
    assert all(r["status"] == "pass" for r in results), [r["unique_id"] for r in results if r["status"] != "pass"]
    # the rules of the metrics spec each have theirs (a sample; the YAML holds them all)
    names = {r["unique_id"].rsplit(".", 1)[-1] for r in results}
    assert any("next" in n for n in names) and any("bucket" in n or "outcome" in n for n in names)
