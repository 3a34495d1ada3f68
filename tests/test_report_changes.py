"""The data-quality report's "what changed" section (threec.report.data): each run keeps its
findings' keys in dq.worklist_history, and the report counts, by kind, the findings that are
new since the snapshot before and those gone from it. A rerun replaces its own snapshot, and
snapshots older than `worklist_history_days` before the newest are dropped."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from threec.report.data import changes_since_previous, snapshot_findings

KEEP_DAYS = 35


def day(n: int) -> dt.date:
    return dt.date(2025, 3, 1) + dt.timedelta(days=n)


@pytest.fixture
def con(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema dq")
    # the columns of dq.escalation_worklist that make a finding's key, and its team
    con.execute("""create table dq.escalation_worklist (finding varchar, conversation_id varchar,
        next_conversation_id varchar, package_id varchar, related_conversation_id varchar, team_id varchar)""")
    yield con
    con.close()


def findings_today(con, *rows: tuple) -> None:
    con.execute("delete from dq.escalation_worklist")
    for finding, conversation, nxt, package in rows:
        con.execute("insert into dq.escalation_worklist values (?, ?, ?, ?, null, 'T1')",
                    [finding, conversation, nxt, package])


def run(con, as_of: dt.date, *rows: tuple):
    findings_today(con, *rows)
    snapshot_findings(con, as_of, f"run-{as_of}", KEEP_DAYS)
    return changes_since_previous(con, as_of)


def test_the_first_run_has_nothing_to_compare_with(con):
    assert run(con, day(0), ("unexplained", "C1", "C3", None)) == (None, {}, {})


def test_new_and_resolved_findings_are_counted_by_kind(con):
    run(con, day(0), ("unexplained", "C1", "C3", None), ("unexplained", "C2", "C4", None),
        ("lts_without_recent_c3", None, None, "K1"))
    previous, new, resolved = run(
        con, day(1),
        ("unexplained", "C2", "C4", None),           # still there
        ("unexplained", "C2", "C5", None),           # same conversation, another next one: a new finding
        ("premature", "C2", "C5", None),             # same pair, another kind: new
        ("lts_without_recent_c3", None, None, "K1"))
    assert previous == day(0)
    assert new == {"unexplained": 1, "premature": 1}
    assert resolved == {"unexplained": 1}


def test_a_rerun_replaces_its_own_snapshot_and_compares_with_the_day_before(con):
    run(con, day(0), ("unexplained", "C1", "C3", None))
    run(con, day(1), ("unexplained", "C1", "C3", None), ("premature", "C7", "C8", None))
    previous, new, resolved = run(con, day(1), ("premature", "C7", "C8", None))
    assert (previous, new, resolved) == (day(0), {"premature": 1}, {"unexplained": 1})
    assert con.execute("select count(*) from dq.worklist_history where as_of_date = ?", [day(1)]).fetchone() == (1,)


def test_a_backfilled_day_compares_with_the_snapshot_before_it(con):
    run(con, day(0), ("unexplained", "C1", "C3", None))
    run(con, day(5), ("unexplained", "C1", "C3", None), ("premature", "C7", "C8", None))
    previous, new, resolved = run(con, day(2))
    assert (previous, new, resolved) == (day(0), {}, {"unexplained": 1})


def test_snapshots_older_than_the_kept_days_are_dropped(con):
    for n in (0, 1, 2):
        run(con, day(n), ("unexplained", "C1", "C3", None))
    run(con, day(1 + KEEP_DAYS), ("unexplained", "C1", "C3", None))
    kept = [r[0] for r in con.execute("select distinct as_of_date from dq.worklist_history order by 1").fetchall()]
    # day 1 is exactly KEEP_DAYS before the newest: kept; day 0 is one day more: dropped
    assert kept == [day(1), day(2), day(1 + KEEP_DAYS)]
    assert changes_since_previous(con, day(1 + KEEP_DAYS)) == (day(2), {}, {})
