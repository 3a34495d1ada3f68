"""The compact frames GX validates, computed by DuckDB from the built warehouse:
columns check, subject, value; one row per file, mart, column, team-month or finding kind."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from threec.checks.definitions import FAIL, MART_KEYS, WARN
from threec.contract import load_contract
from threec.periods import last_months
from threec.validation import q


def _frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def _existing(con: duckdb.DuckDBPyConnection, schema: str) -> set[str]:
    return {r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = ?", [schema]).fetchall()}


def fail_facts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    raw_counts = " union all ".join(
        f"select _delivery_id as delivery_id, count(*) as n from raw.{q(e)} group by 1"
        for e in load_contract().entities)
    parts = [f"""
        select 'ingest_row_accounting' as "check", l.file as subject,
               cast(l.rows_delivered - coalesce(r.n, 0) - coalesce(qu.n, 0) as double) as value
        from dq.file_ledger l
        left join ({raw_counts}) r using (delivery_id)
        left join (select delivery_id, count(*) as n from dq.quarantine group by 1) qu using (delivery_id)
        where l.status = 'loaded'"""]
    marts = _existing(con, "marts")
    for table, keys in MART_KEYS.items():
        if table not in marts:
            parts.append(f"select 'mart_not_empty', '{table} (missing)', 0.0")
            continue
        key = ", ".join(q(k) for k in keys)
        parts.append(f"select 'mart_not_empty', '{table}', cast(count(*) as double) from marts.{q(table)}")
        parts.append(f"select 'mart_key_unique', '{table}', "
                     f"cast(count(*) - count(distinct ({key})) as double) from marts.{q(table)}")
    shares = con.execute("""select table_name, column_name from information_schema.columns
        where table_schema = 'marts' and (column_name like '%\\_share' escape '\\' or column_name like '%\\_rate' escape '\\'
              or column_name = 'uptake') and data_type in ('DOUBLE', 'FLOAT', 'DECIMAL')""").fetchall()
    for table, column in shares:
        parts.append(f"select 'share_in_range', '{table}.{column}', "
                     f"cast(count(*) filter (where {q(column)} < 0 or {q(column)} > 1) as double) from marts.{q(table)}")
    return _frame(con, " union all ".join(parts))


def warn_facts(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.DataFrame:
    since_month = last_months(as_of, 3)[0]
    return _frame(con, f"""
        select 'unexplained_rate' as "check", team_id || ' ' || period as subject, unexplained_rate as value
        from marts.rpt_escalation_rate where month >= date '{since_month}'
        union all
        select 'practice_findings', finding, cast(count(*) as double)
        from dq.escalation_worklist
        where finding_group = 'practice' and finding_date > date '{as_of}' - 30
        group by finding
        union all
        select 'quarantine_share', file, cast(rows_quarantined as double) / rows_delivered
        from dq.file_ledger where status = 'loaded' and rows_delivered > 0
        order by 1, 2""")


def facts(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> dict[str, pd.DataFrame]:
    return {FAIL: fail_facts(con), WARN: warn_facts(con, as_of)}
