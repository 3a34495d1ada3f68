"""Copy the ingested raw tables from the DuckDB warehouse into PostgreSQL, where the dbt
project's `postgres` target builds the same staging, intermediate, marts and dq models
(docs/postgres.md).

Ingest stays in DuckDB (it parses and checks every row there); only what the dbt sources
read, the `raw.<entity>` tables, is copied. The copy is:

- typed: each PostgreSQL column gets the DuckDB column's type, text columns the "C"
  collation, so that ordering by an id breaks ties byte by byte as DuckDB does whatever
  the database's default collation is;
- streamed: DuckDB hands over record batches, written as CSV straight into COPY, so memory
  stays flat however large the warehouse;
- incremental and idempotent: raw is append-only and every row carries the `_delivery_id`
  of the file it came in, so only deliveries PostgreSQL does not hold yet are copied. If
  PostgreSQL holds a delivery DuckDB does not, or a different number of its rows (a
  rebuilt warehouse), the table is copied again whole;
- atomic: every table in one transaction, so dbt never reads a half-copied raw.

Run it after ingest, before `dbt build --target postgres`:

    python -m threec.postgres_load      # connection from THREEC_PG_* (see pg_params)
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import re
import sys
import time
from dataclasses import dataclass
from typing import Iterator, Mapping

import pyarrow as pa
import pyarrow.csv as pa_csv

from threec.config import Settings, load_settings
from threec.contract import load_contract
from threec.errors import ThreecError
from threec.validation import q
from threec.warehouse import connect, run_lock

log = logging.getLogger("threec.postgres_load")

# Environment variable -> default; dbt_project/profiles.yml (target postgres) reads the same.
PG_ENV = {
    "host": ("THREEC_PG_HOST", "127.0.0.1"),
    "port": ("THREEC_PG_PORT", "5432"),
    "user": ("THREEC_PG_USER", "postgres"),
    "password": ("THREEC_PG_PASSWORD", ""),
    "dbname": ("THREEC_PG_DBNAME", "threec"),
}

DELIVERY_COLUMN = "_delivery_id"
BATCH_ROWS = 100_000

_SIMPLE_TYPES = {
    "VARCHAR": 'text collate "C"',
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "BOOLEAN": "boolean",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "SMALLINT": "smallint",
    "DOUBLE": "double precision",
}


def pg_params(environ: Mapping[str, str] | None = None, **overrides: str) -> dict[str, str]:
    """libpq connection parameters from THREEC_PG_*; an empty password leaves libpq to
    PGPASSWORD or ~/.pgpass."""
    environ = os.environ if environ is None else environ
    params = {key: environ.get(var) or default for key, (var, default) in PG_ENV.items()}
    params.update({k: v for k, v in overrides.items() if v is not None})
    return params


def pg_type(duckdb_type: str) -> str:
    """The PostgreSQL column type holding exactly the values of a DuckDB column type."""
    if duckdb_type in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[duckdb_type]
    m = re.fullmatch(r"DECIMAL\((\d+),(\d+)\)", duckdb_type.replace(" ", ""))
    if m:
        return f"numeric({m.group(1)},{m.group(2)})"
    raise ThreecError(f"no PostgreSQL type for DuckDB type {duckdb_type} (extend threec.postgres_load.pg_type)")


class _CsvStream(io.RawIOBase):
    """A readable file of CSV text made batch by batch from Arrow record batches, for COPY.
    Strings are always quoted, so an empty string stays distinct from a null (bare empty)."""

    def __init__(self, batches: Iterator[pa.RecordBatch]):
        self._batches = batches
        self._buffer = memoryview(b"")  # a view, so handing out a chunk copies only the chunk
        self.rows = 0

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buffer:
            batch = next(self._batches, None)
            if batch is None:
                return 0
            if batch.num_rows:
                out = io.BytesIO()
                pa_csv.write_csv(batch, out, pa_csv.WriteOptions(include_header=False))
                self._buffer = out.getbuffer()
                self.rows += batch.num_rows
        n = min(len(target), len(self._buffer))
        target[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


@dataclass
class TableCopy:
    table: str
    mode: str  # "created", "full" (copied again whole), "new deliveries", "unchanged"
    rows_copied: int
    rows_total: int
    seconds: float


def _duck_columns(duck, table: str) -> list[tuple[str, str]]:
    return duck.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'raw' and table_name = ? order by ordinal_position", [table]).fetchall()


def _pg_columns(cur, table: str) -> list[tuple[str, str]]:
    """The columns of PostgreSQL's raw.<table>, typed as pg_type() spells them."""
    cur.execute("""
        select a.attname, format_type(a.atttypid, a.atttypmod)
               || case when a.attcollation <> t.typcollation
                       then ' collate ' || a.attcollation::regcollation::text else '' end
        from pg_attribute as a
        join pg_type as t on t.oid = a.atttypid
        where a.attrelid = to_regclass(%s) and a.attnum > 0 and not a.attisdropped
        order by a.attnum""", [f"raw.{q(table)}"])
    return [(name, kind.replace("timestamp without time zone", "timestamp")) for name, kind in cur.fetchall()]


def _deliveries(rows) -> dict[int, int]:
    return {int(d): int(n) for d, n in rows}


def copy_table(duck, cur, table: str, progress=log.info) -> TableCopy:
    started = time.monotonic()
    columns = _duck_columns(duck, table)
    if not columns:
        raise ThreecError(f"the DuckDB warehouse has no table raw.{table}: run the ingest first")
    names = [c for c, _ in columns]
    if DELIVERY_COLUMN not in names:
        raise ThreecError(f"raw.{table} has no {DELIVERY_COLUMN} column to copy by delivery")
    wanted = [(c, pg_type(t)) for c, t in columns]
    target = f"raw.{q(table)}"
    existing = _pg_columns(cur, table)
    mode = None
    if existing and existing != wanted:
        # The contract changed the table's columns: dbt's staging views on it go too and
        # the next dbt build makes them again.
        progress(f"raw.{table}: columns changed, table made again")
        cur.execute(f"drop table {target} cascade")
        existing = []
    if not existing:
        cur.execute(f"create table {target} ({', '.join(f'{q(c)} {k}' for c, k in wanted)})")
        mode = "created"

    in_duck = _deliveries(duck.execute(
        f"select {DELIVERY_COLUMN}, count(*) from raw.{q(table)} group by all").fetchall())
    cur.execute(f"select {DELIVERY_COLUMN}, count(*) from {target} group by {DELIVERY_COLUMN}")
    in_pg = _deliveries(cur.fetchall())
    if any(in_duck.get(d) != n for d, n in in_pg.items()):
        cur.execute(f"truncate {target}")
        in_pg, mode = {}, "full"
    missing = sorted(set(in_duck) - set(in_pg))
    copied = 0
    if missing:
        select = ", ".join(q(c) for c in names)
        where = "" if not in_pg else f" where {DELIVERY_COLUMN} in (select unnest(?::bigint[]))"
        rows = duck.sql(f"select {select} from raw.{q(table)}{where}", params=[missing] if in_pg else None)
        stream = _CsvStream(iter(rows.to_arrow_reader(BATCH_ROWS)))
        cur.copy_expert(f"copy {target} ({select}) from stdin with (format csv)", stream, size=1 << 20)
        copied = stream.rows
        cur.execute(f"analyze {target}")
        mode = mode or "new deliveries"
    total = sum(in_duck.values())
    return TableCopy(table, mode or "unchanged", copied, total, time.monotonic() - started)


def load_raw(settings: Settings, params: Mapping[str, str] | None = None, progress=log.info) -> list[TableCopy]:
    """Bring PostgreSQL's raw schema level with the DuckDB warehouse's, in one transaction."""
    import psycopg2

    params = dict(params or pg_params())
    tables = list(load_contract().entities)
    with run_lock(settings):
        duck = connect(settings, read_only=True)
        try:
            try:
                pg = psycopg2.connect(**params)
            except psycopg2.OperationalError as exc:
                raise ThreecError(f"cannot connect to PostgreSQL database {params.get('dbname')!r} on "
                                  f"{params.get('host')}:{params.get('port')}: {str(exc).strip()}") from None
            try:
                with pg, pg.cursor() as cur:
                    cur.execute("create schema if not exists raw")
                    copies = [copy_table(duck, cur, table, progress) for table in tables]
            finally:
                pg.close()
        finally:
            duck.close()
    for c in copies:
        progress(f"raw.{c.table}: {c.mode}, {c.rows_copied:,} rows copied, {c.rows_total:,} in all "
                 f"({c.seconds:.1f} s)")
    return copies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m threec.postgres_load",
        description="Copy the DuckDB warehouse's raw tables into PostgreSQL for `dbt build --target postgres`. "
                    "Connection: THREEC_PG_HOST, THREEC_PG_PORT, THREEC_PG_USER, THREEC_PG_PASSWORD, "
                    "THREEC_PG_DBNAME (defaults 127.0.0.1, 5432, postgres, none, threec).")
    parser.add_argument("--dbname", help="database to load into (default THREEC_PG_DBNAME)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        settings = load_settings()
        copies = load_raw(settings, pg_params(dbname=args.dbname))
    except ThreecError as exc:
        print(f"threec: {exc}", file=sys.stderr)
        return 1
    print(f"copied {sum(c.rows_copied for c in copies):,} rows into PostgreSQL's raw schema "
          f"({sum(c.rows_total for c in copies):,} rows in {len(copies)} tables)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
