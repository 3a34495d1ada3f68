"""What the report shows, read from the warehouse (and the findings snapshot it keeps so
each run can say what changed since the previous one)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

from threec.periods import last_months

FINDING_KEY = ("finding || '|' || coalesce(conversation_id, '') || '|' || coalesce(next_conversation_id, '') "
               "|| '|' || coalesce(package_id, '') || '|' || coalesce(related_conversation_id, '')")
RECENT_DAYS = 90


@dataclass
class ReportData:
    as_of: dt.date
    teams: list[dict]
    rates: dict[str, list[dict]]            # team_id -> monthly rates, oldest first
    worklist: dict[str, list[dict]]         # team_id -> recent findings, newest first
    older_findings: dict[str, int]
    finding_counts: dict[str, int]
    quarantine: list[dict]
    previous_as_of: dt.date | None
    new_findings: dict[str, int] = field(default_factory=dict)
    resolved_findings: dict[str, int] = field(default_factory=dict)
    files_this_run: list[dict] = field(default_factory=list)
    threshold: float = 0.2


def fetch_dicts(con: duckdb.DuckDBPyConnection, sql: str, params=None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def snapshot_findings(con: duckdb.DuckDBPyConnection, as_of: dt.date, run_id: str, keep_days: int) -> None:
    """Keep this as-of date's finding keys (replacing a rerun's), to compare runs. Snapshots
    more than ``keep_days`` before the newest are dropped: only the previous one is compared,
    and at national scale each holds millions of keys."""
    con.execute("""create table if not exists dq.worklist_history (
        as_of_date DATE, run_id VARCHAR, finding VARCHAR, finding_key VARCHAR, team_id VARCHAR)""")
    con.execute("begin transaction")
    con.execute("delete from dq.worklist_history where as_of_date = ?", [as_of])
    con.execute(f"insert into dq.worklist_history select ?, ?, finding, {FINDING_KEY}, team_id "
                "from dq.escalation_worklist", [as_of, run_id])
    con.execute("delete from dq.worklist_history where as_of_date < "
                "(select max(as_of_date) from dq.worklist_history) - cast(? as integer)", [keep_days])
    con.execute("commit")


def changes_since_previous(con: duckdb.DuckDBPyConnection, as_of: dt.date
                           ) -> tuple[dt.date | None, dict[str, int], dict[str, int]]:
    """The snapshot before ``as_of``'s, and the findings by kind that are new in ``as_of``'s
    and that are gone from it (resolved)."""
    previous = con.execute("select max(as_of_date) from dq.worklist_history where as_of_date < ?",
                           [as_of]).fetchone()[0]
    if previous is None:
        return None, {}, {}
    only_in = """
        select finding, count(*) from dq.worklist_history
        where as_of_date = ? and finding_key not in
              (select finding_key from dq.worklist_history where as_of_date = ?)
        group by 1"""
    new = dict(con.execute(only_in, [as_of, previous]).fetchall())
    resolved = dict(con.execute(only_in, [previous, as_of]).fetchall())
    return previous, new, resolved


def load(con: duckdb.DuckDBPyConnection, as_of: dt.date, run_id: str, threshold: float) -> ReportData:
    teams = fetch_dicts(con, "select team_id, team_name, team_type, locality, three_c_go_live_date, is_live_on_3cs "
                       "from marts.dim_teams order by team_name")
    since = last_months(as_of, 12)[0]
    rates: dict[str, list[dict]] = {}
    for r in fetch_dicts(con, "select team_id, month, period, direct_escalations, unexplained, unexplained_rate "
                        "from marts.rpt_escalation_rate where month >= ? order by month", [since]):
        rates.setdefault(r["team_id"], []).append(r)
    worklist: dict[str, list[dict]] = {}
    recent = as_of - dt.timedelta(days=RECENT_DAYS)
    for r in fetch_dicts(con, """select finding, finding_group, conversation_id, conversation_type, next_conversation_id,
                   next_conversation_type, related_conversation_id, package_id, coalesce(team_id, '(no team)') as team_id,
                   worker_id, start_date, end_date, next_start_date, package_start_date, finding_date,
                   is_unexplained_escalation, is_unchallenged_escalation, is_premature_escalation
                   from dq.escalation_worklist where finding_date > ?
                   order by finding_date desc, finding, conversation_id""", [recent]):
        worklist.setdefault(r["team_id"], []).append(r)
    older = dict(con.execute("select coalesce(team_id, '(no team)'), count(*) from dq.escalation_worklist "
                             "where finding_date <= ? or finding_date is null group by 1", [recent]).fetchall())
    counts = dict(con.execute("select finding, count(*) from dq.escalation_worklist group by 1").fetchall())
    quarantine = fetch_dicts(con, """select file, entity, "column", rule, count(*) as rows, min(row_number) as first_row
        from dq.quarantine group by all order by file, rows desc""")
    previous, new, resolved = changes_since_previous(con, as_of)
    data = ReportData(as_of, teams, rates, worklist, older, counts, quarantine, previous, new, resolved,
                      threshold=threshold)
    data.files_this_run = fetch_dicts(con, """select file, status, rows_delivered, rows_loaded, rows_quarantined
        from dq.file_ledger where run_id = ? order by file""", [run_id])
    return data
