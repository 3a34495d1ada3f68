"""Hand the ingested raw tables to Apache Spark, where the dbt project's `spark` target
builds the same staging, intermediate, marts and dq models (docs/spark.md).

Ingest stays in DuckDB (it parses and checks every row there). This exports what the dbt
sources read, the `raw.<entity>` tables, as one Parquet file each under
``THREEC_SPARK_DIR/raw/`` (default: ``<state>/spark``); the dbt build registers them as
Spark tables `raw.<entity>` when it starts (macro `spark_register_raw`), so Spark's
metastore is only ever opened by the build itself. The export is:

- typed: Parquet keeps DuckDB's types (BIGINT, BOOLEAN, DATE, DOUBLE, TIMESTAMP, VARCHAR);
- whole or nothing per table: written beside its file, then renamed into place;
- idempotent: a rerun writes the same rows; the ingest ledger is the only memory needed.

Run it after ingest, before `dbt build --target spark`, or let `threec spark-build` do
both (export, then the daily build on Spark):

    python -m threec.spark_load
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
import time
from pathlib import Path

from threec.config import Settings, load_settings
from threec.contract import load_contract
from threec.dbt import run_dbt
from threec.errors import ThreecError
from threec.files import ensure_dir
from threec.warehouse import connect, run_lock

log = logging.getLogger("threec.spark_load")


def export_raw(settings: Settings, progress=log.info) -> dict[str, int]:
    """Export every raw table to ``<spark dir>/raw/<entity>.parquet``; returns rows per table."""
    folder = ensure_dir(settings.spark_dir / "raw")
    counts: dict[str, int] = {}
    with run_lock(settings):
        con = connect(settings, read_only=True)
        try:
            _export(con, folder, counts, progress)
        finally:
            con.close()
    return counts


def _export(con, folder: Path, counts: dict[str, int], progress) -> None:
    present = {r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'raw'").fetchall()}
    for entity in load_contract().entities.values():
        if entity.name not in present:
            raise ThreecError(f"the warehouse has no raw.{entity.name}: run `threec run` (ingest) first")
        started = time.monotonic()
        path = folder / f"{entity.name}.parquet"
        tmp = path.with_name(f".{path.name}.partial")
        escaped = str(tmp).replace("'", "''")
        con.execute(f'copy raw."{entity.name}" to \'{escaped}\' (format parquet, compression zstd)')
        os.replace(tmp, path)
        counts[entity.name] = con.execute(f'select count(*) from raw."{entity.name}"').fetchone()[0]
        progress(f"spark load: raw.{entity.name}: {counts[entity.name]:,} rows -> {path} "
                 f"({time.monotonic() - started:.1f} s)")


def build_on_spark(settings: Settings, as_of: dt.date, progress=log.info) -> None:
    """Export raw, then the daily build (seeds, models, data tests; not the unit tests,
    which read DuckDB's catalog, nor the returns) with dbt's `spark` target."""
    from threec.pipeline import DAILY_BUILD_EXCLUDES
    export_raw(settings, progress)
    run_dbt(settings, "build", as_of, *DAILY_BUILD_EXCLUDES, progress=progress, target="spark")


# The same figure on two engines may differ by a few units in its last digits (a double
# converted to a decimal, a mean divided), never by a millionth of a pound.
ABSOLUTE_TOLERANCE, RELATIVE_TOLERANCE = 1e-6, 1e-9


def tables_differing_from_duckdb(settings: Settings) -> tuple[list[str], list[str]]:
    """Check a Spark build against the DuckDB build of the same raw data: every table of
    `marts` and `intermediate`, row for row, in DuckDB (Spark's tables are Parquet under
    <spark dir>/warehouse/<schema>.db/<table>; the views, such as fct_conversations, are
    computed from those tables on both sides, so comparing the tables covers them), but
    int_changed_keys, which lists what DuckDB's last incremental build recomputed. Every column but
    the doubles must be equal; doubles agree within ABSOLUTE_TOLERANCE plus
    RELATIVE_TOLERANCE of their size. Rows are paired on their other columns when those
    are unique, else compared with doubles rounded to 6 places. Returns the tables compared
    and those that differ (or that Spark did not build)."""
    import duckdb

    warehouse = settings.spark_dir / "warehouse"
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute(f"attach '{settings.warehouse}' as wh (read_only)")
        columns: dict[str, list[tuple[str, str]]] = {}
        for schema, table, column, data_type in con.execute("""
                select c.schema_name, c.table_name, c.column_name, c.data_type
                from duckdb_columns() c join duckdb_tables() t
                  on t.database_name = c.database_name and t.schema_name = c.schema_name
                 and t.table_name = c.table_name
                where c.database_name = 'wh' and c.schema_name in ('marts', 'intermediate')
                  -- what DuckDB's last incremental build recomputed; Spark builds in full
                  and c.table_name <> 'int_changed_keys'
                order by 1, 2, c.column_index""").fetchall():
            columns.setdefault(f"{schema}.{table}", []).append((column, data_type))
        different = []
        for name, cols in columns.items():
            schema, table = name.split(".")
            files = warehouse / f"{schema}.db" / table
            if not any(files.glob("*.parquet")) or _mismatched_rows(
                    con, f'wh.{schema}."{table}"', f"read_parquet('{files}/*.parquet')", cols):
                different.append(name)
        return list(columns), different
    finally:
        con.close()


def _mismatched_rows(con, duck: str, spark: str, cols: list[tuple[str, str]]) -> int:
    typed = [(f'"{c}"', t) for c, t in cols]
    keys = [c for c, t in typed if t != "DOUBLE"]
    doubles = [c for c, t in typed if t == "DOUBLE"]
    key_list = ", ".join(keys)
    if doubles and keys and con.execute(
            f"select count(*) = count(distinct ({key_list})) from {duck}").fetchone()[0]:
        def side(source: str) -> str:
            return f"select true as _found, {', '.join(f'cast({c} as {t}) as {c}' for c, t in typed)} from {source}"
        on = " and ".join(f"d.{k} is not distinct from s.{k}" for k in keys)
        near = " and ".join(
            f"((d.{c} is null and s.{c} is null) or abs(d.{c} - s.{c}) <= {ABSOLUTE_TOLERANCE} "
            f"+ {RELATIVE_TOLERANCE} * greatest(abs(d.{c}), abs(s.{c})))" for c in doubles)
        return con.execute(f"""select count(*) from ({side(duck)}) d full join ({side(spark)}) s on {on}
                               where d._found is null or s._found is null or not coalesce({near}, false)
                            """).fetchone()[0]

    def select(source: str) -> str:
        return ", ".join(f"round({c}, 6)" if t == "DOUBLE" else f"cast({c} as {t})" for c, t in typed) \
            + f" from {source}"
    return con.execute(f"""select (select count(*) from (select {select(spark)} except all select {select(duck)}))
                                + (select count(*) from (select {select(duck)} except all select {select(spark)}))
                        """).fetchone()[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m threec.spark_load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", action="store_true",
                        help="instead of exporting: compare the Spark build's tables with the DuckDB warehouse's "
                             "(exit 1 when any differs)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        settings = load_settings()
        if not args.compare:
            export_raw(settings)
            return 0
        compared, different = tables_differing_from_duckdb(settings)
    except ThreecError as exc:
        print(f"threec: {exc}", file=sys.stderr)
        return 2
    for name in different:
        print(f"differs from DuckDB: {name}")
    print(f"{len(compared) - len(different)} of {len(compared)} tables equal to DuckDB's")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
