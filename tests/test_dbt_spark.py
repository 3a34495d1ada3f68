"""The dbt project on Apache Spark (docs/spark.md): a real `dbt build --target spark` (local
PySpark, dbt-spark's session method) of the daily models and data tests, from the raw
tables threec.spark_load exports. It must pass every node the DuckDB daily build passes and
build the same tables, value for value.

The Spark build is the one the tiny benchmark runs (`threec spark-build` after its full load
and its incremental delta; the `tiny_bench` fixture), so the suite starts Spark once."""

from __future__ import annotations

import duckdb
import pytest

from threec.dbt import node_statuses
from threec.spark_load import export_raw, tables_differing_from_duckdb
from threec.warehouse import connect

from bench.run import BENCH_KEYS
from helpers import settings_for

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("bench")]
QUIET = lambda _msg: None  # noqa: E731


@pytest.fixture
def both_builds(tiny_bench, monkeypatch):
    """The tiny benchmark's settings, and the nodes of its last DuckDB build (the delta)."""
    proc, work = tiny_bench
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    # the benchmark gives Spark its own folder (bench/run.py, phase spark)
    monkeypatch.setenv("THREEC_SPARK_DIR", str(work / "spark"))
    settings = settings_for(work, THREEC_LANDING_DIR=str(work.parent / "landing"), **BENCH_KEYS)
    assert settings.warehouse.exists()
    return settings, node_statuses(settings, None)


def test_the_export_writes_each_raw_table_whole(both_builds):
    settings, _ = both_builds
    counts = export_raw(settings, progress=QUIET)
    con = connect(settings, read_only=True)
    try:
        expected = {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in counts}
    finally:
        con.close()
    assert counts == expected and min(counts.values()) > 0
    folder = settings.spark_dir / "raw"
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{t}.parquet" for t in counts)
    for table, rows in counts.items():
        assert duckdb.sql(f"select count(*) from '{folder / table}.parquet'").fetchall() == [(rows,)]


def test_dbt_build_on_spark_passes_every_node_of_the_daily_build(both_builds):
    settings, on_duckdb = both_builds
    on_spark = node_statuses(settings, "spark")
    assert set(on_spark) == set(on_duckdb)
    assert all(status in ("success", "pass") for status in on_duckdb.values())
    assert {node: status for node, status in on_spark.items() if status not in ("success", "pass")} == {}
    kinds = {node.split(".")[0] for node in on_spark}
    assert {"seed", "model", "test"} <= kinds and "unit_test" not in kinds


def test_every_table_spark_builds_is_the_same_as_duckdbs(both_builds):
    settings, _ = both_builds
    compared, different = tables_differing_from_duckdb(settings)
    assert len(compared) > 25 and {"intermediate.int_conversations_next", "intermediate.int_request_outcomes",
                                   "intermediate.int_worklist_findings", "marts.rpt_savings"} <= set(compared)
    assert different == []


def test_the_comparison_sees_a_changed_row(both_builds, tmp_path):
    """The check above could pass by comparing nothing: change one value of one Spark table."""
    settings, _ = both_builds
    folder = settings.spark_dir / "warehouse" / "intermediate.db" / "int_request_outcomes"
    files = sorted(folder.glob("*.parquet"))
    saved = tmp_path / "saved"
    saved.mkdir()
    for f in files:
        (saved / f.name).write_bytes(f.read_bytes())
    try:
        changed = tmp_path / "part-changed.parquet"
        duckdb.sql(f"select * replace (wait_days + 1 as wait_days) from read_parquet('{folder}/*.parquet')"
                   ).write_parquet(str(changed))
        for f in files:
            f.unlink()
        changed.rename(folder / changed.name)
        assert tables_differing_from_duckdb(settings)[1] == ["intermediate.int_request_outcomes"]
    finally:
        for f in folder.glob("*.parquet"):
            f.unlink()
        for f in saved.iterdir():
            (folder / f.name).write_bytes(f.read_bytes())
