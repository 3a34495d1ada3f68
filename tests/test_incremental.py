"""Incremental daily builds (docs/architecture.md, "Incremental daily builds"): a build that
recomputes only what changed since the last one must leave every table exactly as a full
rebuild from raw on the same day would, and threec must fall back to a full rebuild
whenever the last build cannot be trusted.

The hand-written history covers each way a record can change what is already built, as
the export contract and metrics.md describe them: a conversation moving to another
person, a deletion, a start, an end and a request dated after the as-of date that it then
passes, a package starting later, a team's go-live date corrected, a journey's settle day
reached, and a late delivery of an older extract whose version wins on last_modified."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from threec.config import load_settings
from threec.dbt import run_dbt
from threec.errors import BuildError
from threec.incremental import BuildPlan, fingerprint, mark_building, mark_built, plan_build
from threec.pipeline import build_step, ingest_step, new_run_id
from threec.warehouse import connect, ensure_schema

from conftest import marts_snapshot
from helpers import row, settings_for, write_csv

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("pipeline")]
QUIET = lambda _msg: None  # noqa: E731


def built_tables(settings) -> dict[str, list[tuple]]:
    """Every row of every table and view dbt builds (int_changed_keys aside: it lists what one
    incremental build recomputed, so it differs from a full rebuild's by design)."""
    con = connect(settings, read_only=True)
    try:
        names = [r[0] for r in con.execute(
            "select table_schema || '.\"' || table_name || '\"' from information_schema.tables "
            "where table_schema in ('intermediate', 'marts', 'dq') and table_name <> 'int_changed_keys' "
            "and not (table_schema = 'dq' and table_name in ('runs', 'build_state', 'file_ledger', "
            "'quarantine', 'rejected_files', 'ingest_notes', 'worklist_history')) order by 1").fetchall()]
        # delivery ids number deliveries in the order they were loaded, which differs when a late
        # extract is loaded after later ones; which version won is still compared (extract_date, row)
        return {n: con.execute(f"select * exclude (delivery_id) from {n} order by all"
                               if _has_column(con, n, "delivery_id") else
                               f"select * from {n} order by all").fetchall() for n in names}
    finally:
        con.close()


def _has_column(con, name: str, column: str) -> bool:
    return column in [d[0] for d in con.execute(f"select * from {name} limit 0").description]


def build(settings, as_of: dt.date) -> list[str]:
    said: list[str] = []
    ingest_step(settings, as_of, new_run_id(as_of), QUIET)
    build_step(settings, as_of, said.append)
    return [m for m in said if m.startswith("build: ")]


def build_from_nothing(settings, as_of: dt.date) -> None:
    """The reference: a new warehouse, ingest and every model built from raw (its data tests
    are the daily build's, which the incremental side runs)."""
    ingest_step(settings, as_of, new_run_id(as_of), QUIET)
    run_dbt(settings, "build", as_of, "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
            progress=QUIET)


def conv(cid: str, person: str, kind: str, start: str, end: str = "", outcome: str = "", request: str = "",
         team: str = "T1", modified: str = "2025-02-25T09:00:00", deleted: str = "false") -> dict[str, str]:
    return row("conversations", conversation_id=cid, person_id=person, request_id=request, team_id=team,
               conversation_type=kind, start_date=start, end_date=end, outcome=outcome if end else "",
               last_modified=modified, is_deleted=deleted)


def package(pid: str, person: str, start: str, conversation: str = "", cost: str = "20.50",
            modified: str = "2025-02-25T09:00:00") -> dict[str, str]:
    return row("packages", package_id=pid, person_id=person, conversation_id=conversation, start_date=start,
               unit_cost=cost, last_modified=modified)


def request(rid: str, person: str, made: str, modified: str = "2025-02-25T09:00:00") -> dict[str, str]:
    return row("requests", request_id=rid, person_id=person, request_date=made, last_modified=modified)


# folder -> entity -> rows; arrivals below say when each folder lands
FOLDERS = {
    "2025-03-01": {
        "people": [row("people", person_id=p, nhs_number="") for p in ("P1", "P2", "P3", "P4")],
        "teams": [row("teams", team_id="T1", three_c_go_live_date="2024-01-01"),
                  row("teams", team_id="T2", team_name="South", three_c_go_live_date="")],
        "requests": [request("R1", "P1", "2025-01-10"), request("R3", "P3", "2025-01-05"),
                     request("R4", "P4", "2025-02-01"),
                     request("R2", "P2", "2025-03-02")],                        # made after the first as-of date
        "conversations": [
            conv("C1", "P1", "C1", "2025-01-12", "2025-01-20", "ESCALATED", "R1"),
            # ends 2025-02-02: the journey C1 -> C3A settles on 2025-03-02 (28 days later)
            conv("C3A", "P1", "C3", "2025-01-25", "2025-02-02", "SUPPORT_PLAN_AGREED"),
            conv("CX", "P1", "C1", "2025-02-20", "2025-02-21", "INFO_ADVICE"),  # moves to P2 the next day
            conv("CF", "P2", "C1", "2025-03-02", request="R2", team="T2"),      # starts after the as-of date
            conv("CE", "P3", "C2", "2025-02-10", "2025-03-02", "CRISIS_RESOLVED", "R3", team="T2"),  # ends after it
            conv("CD", "P4", "C1", "2025-02-02", "2025-02-03", "INFO_ADVICE", "R4"),  # deleted the next day
        ],
        "packages": [package("K1", "P1", "2024-06-01", "C1"), package("K2", "P1", "2025-02-05", "C3A"),
                     package("K3", "P2", "2025-03-03", "CF"),                   # starts after the next as-of date
                     package("K4", "P3", "2025-02-15", modified="2025-02-15T09:00:00")],
    },
    "2025-03-02": {
        "conversations": [conv("CX", "P2", "C1", "2025-02-20", "2025-02-21", "INFO_ADVICE",
                               modified="2025-03-02T09:00:00"),
                          conv("CD", "P4", "C1", "2025-02-02", "2025-02-03", "INFO_ADVICE", "R4",
                               modified="2025-03-02T09:00:00", deleted="true")],
        "teams": [row("teams", team_id="T2", team_name="South", three_c_go_live_date="2024-06-01",
                      last_modified="2025-03-02T09:00:00")],
        "requests": [request("R5", "P1", "2025-03-02", modified="2025-03-02T09:00:00")],
    },
    # an older extract delivered late: its version of K4 is the newer one (last_modified)
    "2025-02-20": {"packages": [package("K4", "P3", "2025-02-15", cost="31.00", modified="2025-02-20T09:00:00")]},
    "2025-03-04": {"conversations": [conv("C9", "P3", "C3", "2025-03-03", request="R3",
                                          modified="2025-03-04T09:00:00")]},
}
ARRIVALS = [("2025-03-01", ["2025-03-01"]), ("2025-03-02", ["2025-03-02"]), ("2025-03-04", ["2025-02-20", "2025-03-04"])]


def land(landing: Path, folder: str) -> None:
    for entity, rows in FOLDERS[folder].items():
        write_csv(landing / folder, entity, rows)


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """The hand-written history built day by day on one warehouse, and each later day built from
    nothing on another: (daily settings, build progress lines, days whose tables differ)."""
    tmp = tmp_path_factory.mktemp("incremental")
    daily = settings_for(tmp / "daily")
    plans, differing = [], []
    for day, (as_of, folders) in enumerate(ARRIVALS):
        for folder in folders:
            land(daily.landing_dir, folder)
        plans += build(daily, dt.date.fromisoformat(as_of))
        if day == 0:
            continue  # the first build is a full one itself
        fresh = settings_for(tmp / f"fresh-{as_of}", THREEC_LANDING_DIR=str(daily.landing_dir))
        build_from_nothing(fresh, dt.date.fromisoformat(as_of))
        ours, theirs = built_tables(daily), built_tables(fresh)
        differing += [(as_of, name) for name in sorted(set(ours) | set(theirs)) if ours.get(name) != theirs.get(name)]
    return daily, plans, differing


def test_each_incremental_day_equals_a_full_rebuild_of_that_day(history):
    daily, plans, differing = history
    assert differing == []
    assert plans[0].startswith("build: full rebuild")
    assert [p.split(":")[1].strip() for p in plans[1:]] == ["incremental", "incremental"], plans


def test_the_history_exercises_what_it_is_for(history):
    daily, _, _ = history
    con = connect(daily, read_only=True)
    try:
        assert con.execute("select count(*) from dq.quarantine").fetchone()[0] == 0
        assert con.execute("select person_id from marts.fct_conversations where conversation_id = 'CX'"
                           ).fetchall() == [("P2",)]
        assert con.execute("select count(*) from marts.fct_conversations where conversation_id = 'CD'"
                           ).fetchone()[0] == 0
        assert con.execute("select unit_cost from marts.fct_packages where package_id = 'K4'").fetchone()[0] == 31
        assert con.execute("select is_settled, is_team_live from intermediate.int_person_journey_costs "
                           "where journey_id = 'C1'").fetchone() == (True, True)
        assert con.execute("select led_to_long_term_support from marts.fct_requests where request_id = 'R2'"
                           ).fetchone() == (True,)
    finally:
        con.close()


def test_an_incremental_build_tests_the_rows_it_wrote(history, tmp_path):
    """In an incremental build the data tests read only the rows the build wrote (the
    rows of its changed keys): a null in a row it wrote fails the build, one in a row an
    earlier build wrote and tested does not; without a window every row is read."""
    daily, _, _ = history
    copy = settings_for(tmp_path, THREEC_LANDING_DIR=str(daily.landing_dir))
    # the whole folder: dbt's parse state beside the warehouse comes too, so no full parse
    shutil.copytree(daily.warehouse.parent, copy.warehouse.parent,
                    ignore=shutil.ignore_patterns("*.lock", "dbt_logs"))
    as_of = dt.date(2025, 3, 4)
    window = {"THREEC_CHANGES_SINCE_AS_OF": "2025-03-02", "THREEC_CHANGES_SINCE_DELIVERY": "1"}
    test = ("test", as_of, "--select", "fct_requests,test_name:columns_not_null")
    con = connect(copy)
    try:
        written = {r[0] for r in con.execute(
            "select key_id from intermediate.int_changed_keys where key_type = 'request_outcomes'").fetchall()}
        assert "R3" in written and "R1" not in written   # C9 answers R3 on the last day
        con.execute("update intermediate.int_request_outcomes set team_id = null where request_id = 'R1'")
    finally:
        con.close()
    run_dbt(copy, *test, progress=QUIET, window=window)
    with pytest.raises(BuildError, match="columns_not_null_fct_requests"):
        run_dbt(copy, *test, progress=QUIET)
    con = connect(copy)
    try:
        con.execute("update intermediate.int_request_outcomes set team_id = null where request_id = 'R3'")
    finally:
        con.close()
    with pytest.raises(BuildError, match="columns_not_null_fct_requests"):
        run_dbt(copy, *test, progress=QUIET, window=window)


def test_dbt_building_incremental_models_outside_threec_makes_the_next_build_full(history, tmp_path):
    """dbt run by hand (no window: perhaps another as-of date, other vars) rebuilds tables
    that threec's record of its last build no longer describes; a dbt that only reads or
    tests leaves the record trusted."""
    daily, _, _ = history
    copy = settings_for(tmp_path, THREEC_LANDING_DIR=str(daily.landing_dir))
    shutil.copytree(daily.warehouse.parent, copy.warehouse.parent,
                    ignore=shutil.ignore_patterns("*.lock", "dbt_logs"))
    as_of = dt.date(2025, 3, 5)

    def plan() -> BuildPlan:
        con = connect(copy)
        try:
            return plan_build(con, copy, as_of)
        finally:
            con.close()

    assert not plan().full_refresh
    run_dbt(copy, "test", as_of, "--select", "int_people_current", progress=QUIET)
    run_dbt(copy, "run", as_of, "--select", "int_teams_current", progress=QUIET)  # a table, not incremental
    assert not plan().full_refresh
    run_dbt(copy, "run", as_of, "--select", "int_people_current", progress=QUIET)
    assert plan().reason == "dbt built incremental models outside threec since its last build (dq.build_state)"
    said: list[str] = []
    build_step(copy, as_of, said.append)
    assert [m for m in said if m.startswith("build: ")][0].startswith("build: full rebuild: dbt built")
    assert not plan().full_refresh


def test_a_generated_day_built_on_the_day_before_equals_the_full_build(small_council, built_council, tmp_path):
    """The generated council's last day, built incrementally on the day before, ends with
    the marts of one full build over the whole history."""
    reference, _ = built_council
    landing = tmp_path / "landing"
    settings = small_council.settings_in(tmp_path, landing)
    first, *days = small_council.folders[-2:]
    for name in small_council.folders:
        if name <= first:
            shutil.copytree(small_council.landing / name, landing / name)
    build(settings, dt.date.fromisoformat(first))
    plans: list[str] = []
    for name in days:
        shutil.copytree(small_council.landing / name, landing / name)
        plans += build(settings, dt.date.fromisoformat(name))
    assert [p.split(":")[1].strip() for p in plans] == ["incremental"] * len(days), plans
    assert marts_snapshot(settings) == marts_snapshot(reference)


@pytest.fixture
def recorded(tmp_path):
    """A warehouse whose last build, for 2025-03-31, is recorded (no dbt needed to plan)."""
    settings = settings_for(tmp_path)
    con = connect(settings)
    ensure_schema(con)
    con.execute("insert into dq.file_ledger (delivery_id, extract_date, entity, file, sha256, status, loaded_at) "
                "values (7, date '2025-03-31', 'people', 'people.csv', 'x', 'loaded', now())")
    mark_built(con, BuildPlan(True, "", fingerprint=fingerprint(settings)), dt.date(2025, 3, 31), 7)
    yield settings, con
    con.close()


def test_the_next_day_is_incremental_from_the_recorded_build(recorded):
    settings, con = recorded
    plan = plan_build(con, settings, dt.date(2025, 4, 1))
    assert plan == BuildPlan(False, "", dt.date(2025, 3, 31), 7)
    assert plan.env() == {"THREEC_CHANGES_SINCE_AS_OF": "2025-03-31", "THREEC_CHANGES_SINCE_DELIVERY": "7"}
    assert plan.dbt_args() == ()
    # rerunning the same day is incremental too, with nothing new to take in
    assert not plan_build(con, settings, dt.date(2025, 3, 31)).full_refresh


@pytest.mark.parametrize("change, reason", [
    ("earlier", "the as-of date 2025-03-30 is before the last build's (2025-03-31)"),
    ("unfinished", "the last build did not finish, so its tables may be half updated"),
    ("var", "the dbt project or its settings changed since the last build"),
    ("none", "no earlier build is recorded in this warehouse"),
    ("asked", "asked for (--full-refresh)"),
])
def test_a_build_that_cannot_trust_the_last_one_is_full(recorded, change, reason):
    settings, con = recorded
    as_of, full = dt.date(2025, 4, 1), False
    if change == "earlier":
        as_of = dt.date(2025, 3, 30)
    elif change == "unfinished":
        mark_building(con)
    elif change == "var":
        settings = load_settings({**settings.child_env(), "THREEC_VARS": '{"next_conversation_window_days": 21}'})
    elif change == "none":
        con.execute("delete from dq.build_state")
    else:
        full = True
    plan = plan_build(con, settings, as_of, full)
    assert plan.full_refresh and plan.reason == reason
    assert plan.dbt_args() == ("--full-refresh",)
    assert plan.env() == {"THREEC_CHANGES_SINCE_AS_OF": "", "THREEC_CHANGES_SINCE_DELIVERY": ""}


def test_the_fingerprint_follows_the_project_and_the_vars(tmp_path):
    a = settings_for(tmp_path)
    b = settings_for(tmp_path, THREEC_VARS='{"savings_settle_days": 14}')
    assert fingerprint(a) == fingerprint(settings_for(tmp_path / "other"))
    assert fingerprint(a) != fingerprint(b)
