"""The dbt project on PostgreSQL (docs/postgres.md): the small council ingested into DuckDB,
its raw tables copied by threec.postgres_load into a fresh PostgreSQL database, and a real
`dbt build --target postgres` (seeds, models, data tests, unit tests). It must pass every
node the DuckDB build and its unit-test run pass and build the same marts, value for value
(doubles to within the tolerance of the Spark comparison: DuckDB adds money up as exact
decimals, PostgreSQL in a fixed order, and the two may differ in a last digit)."""

from __future__ import annotations

import decimal
import math
import os
import subprocess
import time
import uuid

import psycopg2
import pytest

from threec.dbt import node_statuses, run_dbt
from threec.pipeline import build_step, ingest_step, unit_test_step
from threec.postgres_load import load_raw, pg_params
from threec.spark_load import ABSOLUTE_TOLERANCE, RELATIVE_TOLERANCE
from threec.warehouse import connect

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("postgres_dbt")]
QUIET = lambda _msg: None  # noqa: E731
RAW_TABLES = ["people", "teams", "requests", "conversations", "packages", "hospital_delays"]


def _admin():
    return psycopg2.connect(**pg_params(dbname="postgres"), connect_timeout=3)


def _ensure_postgres() -> None:
    try:
        _admin().close()
        return
    except psycopg2.OperationalError:
        pass
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            _admin().close()
            return
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@pytest.fixture(scope="module")
def new_database():
    """Makes fresh, uniquely named databases and drops them when the module is done. Their
    default collation is ICU en-GB, which sorts 'B' after 'a-b': ties broken by id must
    still come out as on DuckDB, because the loader gives raw's text columns the C collation."""
    _ensure_postgres()
    made: list[str] = []

    def make() -> str:
        name = f"threec_dbt_{uuid.uuid4().hex[:12]}"
        con = _admin()
        con.autocommit = True
        try:
            with con.cursor() as cur:
                cur.execute(f"create database {name} template template0 encoding 'UTF8' "
                            "locale_provider icu icu_locale 'en-GB' locale 'C.UTF-8'")
        finally:
            con.close()
        made.append(name)
        return name

    yield make
    con = _admin()
    con.autocommit = True
    try:
        with con.cursor() as cur:
            for name in made:
                cur.execute(f"drop database if exists {name} with (force)")
    finally:
        con.close()


def _pg(dbname: str):
    return psycopg2.connect(**pg_params(dbname=dbname))


def _plain(value):
    """PostgreSQL sums integers into numeric; DuckDB into integers or doubles."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _sorted_rows(rows) -> list[tuple]:
    return sorted((tuple(_plain(v) for v in r) for r in rows),
                  key=lambda r: repr(tuple(round(v, 6) if isinstance(v, float) else v for v in r)))


def _near(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=RELATIVE_TOLERANCE, abs_tol=ABSOLUTE_TOLERANCE)
    return a == b


def _same_rows(left: list[tuple], right: list[tuple]) -> bool:
    return len(left) == len(right) and all(
        len(x) == len(y) and all(_near(a, b) for a, b in zip(x, y)) for x, y in zip(left, right))


def _duck_rows(settings, sql: str) -> list[tuple]:
    con = connect(settings, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _pg_rows(dbname: str, sql: str) -> list[tuple]:
    con = _pg(dbname)
    try:
        with con.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    finally:
        con.close()


def _columns_sql(schema: str, table: str) -> str:
    return (f"select column_name from information_schema.columns where table_schema = '{schema}' "
            f"and table_name = '{table}' order by ordinal_position")


@pytest.fixture(scope="module")
def ingested(small_council, tmp_path_factory):
    settings = small_council.settings_in(tmp_path_factory.mktemp("pg-duckdb"))
    ingest_step(settings, small_council.last_extract, "pg-ingest", progress=QUIET)
    return settings


@pytest.fixture(scope="module")
def both_builds(ingested, small_council, new_database):
    """The same raw data built by dbt on DuckDB and, copied, on PostgreSQL."""
    settings, as_of = ingested, small_council.last_extract
    # DuckDB as the daily run builds it, then the unit tests it leaves to CI: together every node
    build_step(settings, as_of, progress=QUIET)
    on_duckdb = node_statuses(settings, None)
    unit_test_step(settings, as_of, progress=QUIET)
    on_duckdb.update(node_statuses(settings, None))
    dbname = new_database()
    load_raw(settings, pg_params(dbname=dbname), progress=QUIET)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("THREEC_PG_DBNAME", dbname)
        run_dbt(settings, "build", as_of, progress=QUIET, target="postgres")
    return settings, dbname, on_duckdb


def test_the_loader_copies_raw_exactly_then_only_new_deliveries(ingested, new_database):
    dbname = new_database()
    params = pg_params(dbname=dbname)
    first = load_raw(ingested, params, progress=QUIET)
    assert [c.table for c in first] == RAW_TABLES and {c.mode for c in first} == {"created"}
    for table in RAW_TABLES:
        names = [r[0] for r in _duck_rows(ingested, _columns_sql("raw", table))]
        select = ", ".join(f'"{n}"' for n in names)
        duck = _duck_rows(ingested, f"select {select} from raw.{table}")
        assert len(duck) > 0
        # Every value, typed: doubles to the last bit, timestamps, nulls vs empty strings.
        assert _sorted_rows(_pg_rows(dbname, f"select {select} from raw.{table}")) == _sorted_rows(duck), table
    assert _pg_rows(dbname, """select count(*) from information_schema.columns where table_schema = 'raw'
        and data_type = 'text' and collation_name is distinct from 'C'""") == [(0,)]

    again = load_raw(ingested, params, progress=QUIET)
    assert {(c.mode, c.rows_copied) for c in again} == {("unchanged", 0)}

    # A delivery PostgreSQL lacks is copied on its own; one it holds differently (a warehouse
    # rebuilt from scratch) makes the whole table be copied again.
    con = _pg(dbname)
    with con, con.cursor() as cur:
        cur.execute("delete from raw.conversations where _delivery_id = (select max(_delivery_id) from raw.conversations)")
        dropped = cur.rowcount
        cur.execute("delete from raw.packages where ctid = (select min(ctid) from raw.packages)")
    con.close()
    assert dropped > 0
    third = {c.table: c for c in load_raw(ingested, params, progress=QUIET)}
    assert (third["conversations"].mode, third["conversations"].rows_copied) == ("new deliveries", dropped)
    assert (third["packages"].mode, third["packages"].rows_copied) == ("full", third["packages"].rows_total)
    assert third["people"].mode == "unchanged"
    for table in ("conversations", "packages"):
        assert _pg_rows(dbname, f"select count(*) from raw.{table}") == \
            _duck_rows(ingested, f"select count(*) from raw.{table}")


def test_dbt_build_on_postgres_passes_every_node_the_duckdb_build_does(both_builds):
    settings, _, on_duckdb = both_builds
    on_postgres = node_statuses(settings, "postgres")
    assert set(on_postgres) == set(on_duckdb)
    assert all(status in ("success", "pass") for status in on_duckdb.values())
    failed = {node: status for node, status in on_postgres.items() if status not in ("success", "pass")}
    assert failed == {}
    kinds = {node.split(".")[0] for node in on_postgres}
    assert {"seed", "model", "test", "unit_test"} <= kinds
    assert sum(node.startswith("unit_test.") for node in on_postgres) >= 30


def test_every_mart_is_the_same_on_both_databases(both_builds):
    settings, dbname, _ = both_builds
    tables = _duck_rows(settings, """select table_schema, table_name from information_schema.tables
        where table_schema in ('marts', 'intermediate') or (table_schema = 'dq' and table_name = 'escalation_worklist')
        order by 1, 2""")
    assert len(tables) > 25
    different = []
    for schema, table in tables:
        names = [r[0] for r in _duck_rows(settings, _columns_sql(schema, table))]
        assert [r[0] for r in _pg_rows(dbname, _columns_sql(schema, table))] == names, f"{schema}.{table}"
        select = ", ".join(f'"{n}"' for n in names)
        duck = _sorted_rows(_duck_rows(settings, f'select {select} from {schema}."{table}"'))
        if not _same_rows(_sorted_rows(_pg_rows(dbname, f'select {select} from {schema}."{table}"')), duck):
            different.append(f"{schema}.{table}")
    assert different == []


# Headline figures: counts and money, which a council's finance and BI teams will tie out.
KEY_FIGURES = {
    "fct_conversations": "count(*), count(*) filter (where is_direct_escalation), "
                         "count(*) filter (where is_unexplained_escalation), count(distinct journey_id)",
    "fct_requests": "count(*), count(*) filter (where is_waiting), count(*) filter (where led_to_long_term_support), "
                    "sum(wait_days)",
    "fct_packages": "count(*), sum(weekly_cost order by package_id), sum(annualised_cost order by package_id), "
                    "sum(net_weekly_cost order by package_id)",
    "rpt_package_costs": "count(*), sum(cost order by financial_year, service_type, service_component, delivery_mechanism)",
    "rpt_savings": "count(*), sum(amount order by financial_year, team_id, saving_type)",
    "rpt_waiting_list": "count(*), sum(requests_waiting), max(longest_wait_days)",
    "fct_delays": "count(*), sum(delay_days), count(followup_conversation_id)",
}


def test_key_marts_agree_in_counts_and_money(both_builds):
    settings, dbname, _ = both_builds
    figures = {mart: f"select {columns} from marts.{mart}" for mart, columns in KEY_FIGURES.items()}
    duck = {mart: tuple(_plain(v) for v in _duck_rows(settings, sql)[0]) for mart, sql in figures.items()}
    assert all(row[0] > 0 for row in duck.values()), duck
    pg = {mart: tuple(_plain(v) for v in _pg_rows(dbname, sql)[0]) for mart, sql in figures.items()}
    assert {mart for mart in duck if not _same_rows([pg[mart]], [duck[mart]])} == set(), (pg, duck)
