"""The not-null rule of the models' columns. A column that must never be null says so in
its YAML (`constraints: [{type: not_null}]`), and one `columns_not_null` test per model
checks all of that model's in one scan (dbt_project/tests/generic/columns_not_null.sql)
rather than one dbt node per column."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import DAILY_RUN_RESULTS
from helpers import settings_for
from threec.dbt import run_dbt, run_results, target_path
from threec.errors import BuildError
from threec.warehouse import connect

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("checks")]


def _not_null_columns(node: dict) -> list[str]:
    return [c["name"] for c in node["columns"].values()
            if any(k.get("type") == "not_null" for k in c.get("constraints") or [])]


def test_every_model_s_not_null_columns_are_checked_in_the_daily_build(built_council):
    settings, _ = built_council
    nodes = json.loads((target_path(settings) / "manifest.json").read_text())["nodes"]
    declaring = {n["unique_id"] for n in nodes.values() if n["resource_type"] == "model" and _not_null_columns(n)}
    tests = {n["unique_id"]: n for n in nodes.values() if n["resource_type"] == "test"}
    checking = {t["attached_node"] for t in tests.values()
                if (t.get("test_metadata") or {}).get("name") == "columns_not_null"}
    assert len(declaring) > 40
    assert checking == declaring
    # no model column keeps a not_null test of its own, but one limited by a where condition
    # (seeds keep theirs: a few rows each)
    per_column = [t for t in tests.values() if (t.get("test_metadata") or {}).get("name") == "not_null"
                  and (t.get("attached_node") or "").startswith("model.")]
    assert all(t["config"].get("where") for t in per_column), [t["unique_id"] for t in per_column]

    daily = json.loads((settings.state_dir / DAILY_RUN_RESULTS).read_text())["results"]
    ran = {r["unique_id"]: r["status"] for r in daily if r["unique_id"] in tests
           and (tests[r["unique_id"]].get("test_metadata") or {}).get("name") == "columns_not_null"}
    # every model of the daily build (the returns are built by `threec returns`)
    assert len(ran) > 30
    assert set(ran.values()) == {"pass"}


def test_a_null_in_a_not_null_column_fails_the_build_naming_the_column(built_council, tmp_path):
    settings, _ = built_council
    copy = settings_for(tmp_path, THREEC_LANDING_DIR=str(settings.landing_dir))
    copy.warehouse.parent.mkdir(parents=True)
    shutil.copy(settings.warehouse, copy.warehouse)
    con = connect(copy)
    try:
        # fct_requests is a view over int_request_outcomes
        con.execute("update intermediate.int_request_outcomes set team_id = null, is_new_client = null "
                    "where request_id in (select request_id from marts.fct_requests order by request_id limit 3)")
    finally:
        con.close()
    as_of = built_council[1].as_of
    with pytest.raises(BuildError) as caught:
        run_dbt(copy, "test", as_of, "--select", "fct_requests,test_name:columns_not_null", progress=lambda _m: None)
    assert "columns_not_null_fct_requests" in str(caught.value)
    (failed,) = [r for r in run_results(copy) if r["unique_id"].startswith("test.")]
    assert failed["status"] == "fail" and failed["failures"] == 2
    con = connect(copy, read_only=True)
    try:
        assert sorted(con.execute(failed["compiled_code"]).fetchall()) == [("is_new_client", 3), ("team_id", 3)]
    finally:
        con.close()
    # the other models' checks still pass on the same warehouse
    run_dbt(copy, "test", as_of, "--select", "fct_conversations,test_name:columns_not_null", progress=lambda _m: None)
