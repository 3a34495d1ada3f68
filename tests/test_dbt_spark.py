"""The dbt project on Apache Spark (docs/spark.md): the small council ingested into DuckDB,
its raw tables exported by threec.spark_load, and a real `dbt build --target spark` (local
PySpark, dbt-spark's session method) of the daily models and data tests. It must pass every
node the DuckDB daily build passes and build the same tables, value for value."""

from __future__ import annotations

import duckdb
import pytest

from threec.dbt import node_statuses
from threec.pipeline import build_step, ingest_step
from threec.spark_load import build_on_spark, export_raw, tables_differing_from_duckdb
from threec.warehouse import connect

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("spark_dbt")]
QUIET = lambda _msg: None  # noqa: E731


@pytest.fixture(scope="module")
def both_builds(small_council, tmp_path_factory):
    settings = small_council.settings_in(tmp_path_factory.mktemp("spark"))
    as_of = small_council.last_extract
    ingest_step(settings, as_of, "spark-ingest", progress=QUIET)
    build_step(settings, as_of, progress=QUIET)
    on_duckdb = node_statuses(settings, None)
    build_on_spark(settings, as_of, progress=QUIET)
    return settings, on_duckdb


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
