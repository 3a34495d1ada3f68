"""The daily run: ingest -> dbt build -> publish. The CLI (`threec run`) and the Airflow
DAG `threec_daily` call these same steps, so there is one code path."""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field

from threec.alerts import notify
from threec.checks.runner import CheckReport, ChecksFailed, run_checks
from threec.config import Settings
from threec.dbt import run_dbt
from threec.errors import ThreecError
from threec.files import restricted_umask
from threec.incremental import last_delivery, mark_building, mark_built, plan_build
from threec.ingest import IngestSummary, ingest
from threec.landing import parse_folder_date
from threec.publish import Published, publish
from threec.report import write_report
from threec.warehouse import connect, ensure_schema, run_lock

# dbt advises running unit tests in development and CI only; the yearly returns build keeps its own.
DAILY_BUILD_EXCLUDES = ("--exclude-resource-type", "unit_test")
log = logging.getLogger("threec")


def new_run_id(as_of: dt.date) -> str:
    return f"{as_of.isoformat()}T{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{time.time_ns() % 10**6:06d}"


def default_as_of(settings: Settings, today: dt.date | None = None) -> dt.date:
    """The latest extract date in the landing folder (not after today)."""
    today = today or dt.date.today()
    dates = [d for p in (settings.landing_dir.iterdir() if settings.landing_dir.is_dir() else [])
             if p.is_dir() and (d := parse_folder_date(p.name)) and d <= today]
    if not dates:
        raise ThreecError(f"no extract folders (YYYY-MM-DD) in the landing folder {settings.landing_dir}; "
                          "run `threec generate` for the demo council or set THREEC_LANDING_DIR")
    return max(dates)


def ingest_step(settings: Settings, as_of: dt.date, run_id: str, progress=log.info) -> IngestSummary:
    with run_lock(settings), restricted_umask():
        con = connect(settings)
        try:
            ensure_schema(con)
            con.execute("insert or replace into dq.runs values (?, ?, now(), null, 'running', null)",
                        [run_id, as_of])
            return ingest(con, settings, as_of, run_id, progress)
        finally:
            con.close()


def build_step(settings: Settings, as_of: dt.date, progress=log.info, full_refresh: bool = False) -> None:
    """The daily `dbt build`: models and data tests, incremental when the last build allows
    it (threec.incremental), else every table from raw. The unit tests test the SQL on
    fixtures, not the day's data, so they run in CI (`make test`, `threec unit-tests`), not
    every night."""
    with run_lock(settings), restricted_umask():
        con = connect(settings)
        try:
            ensure_schema(con)
            plan = plan_build(con, settings, as_of, full_refresh)
            delivery = last_delivery(con)
            mark_building(con)
        finally:
            con.close()
        progress(f"build: {plan.describe()}")
        run_dbt(settings, "build", as_of, *DAILY_BUILD_EXCLUDES, *plan.dbt_args(), progress=progress,
                window=plan.env())
        con = connect(settings)
        try:
            mark_built(con, plan, as_of, delivery)
        finally:
            con.close()


def unit_test_step(settings: Settings, as_of: dt.date, progress=log.info) -> None:
    """Every dbt unit test of the daily models, against a built warehouse (dbt reads the
    column types of each unit test's inputs from it)."""
    with run_lock(settings), restricted_umask():
        run_dbt(settings, "test", as_of, "--selector", "daily", "--resource-type", "unit_test",
                progress=progress)


def publish_step(settings: Settings, as_of: dt.date, run_id: str, progress=log.info) -> Published:
    with run_lock(settings), restricted_umask():
        published = publish(settings, run_id, as_of, progress)
        con = connect(settings)
        try:
            con.execute("update dq.runs set finished_at = now(), status = 'succeeded' where run_id = ?", [run_id])
        finally:
            con.close()
        return published


def check_step(settings: Settings, as_of: dt.date, run_id: str, progress=log.info) -> CheckReport:
    """Run the GX checks and write the data-quality report. A failed fail-check raises
    ChecksFailed after the report is written, so publishing never starts."""
    with run_lock(settings), restricted_umask():
        report = run_checks(settings, as_of, run_id, progress)
        write_report(settings, as_of, report, progress)
        notify(settings, report, progress)
    if report.failed:
        raise ChecksFailed("fail checks did not pass, so nothing was published (the last good files stay): "
                           + "; ".join(report.lines()))
    return report


@dataclass
class RunSummary:
    run_id: str
    as_of: dt.date
    ingest: IngestSummary
    checks: CheckReport
    published: Published
    headline: dict[str, object] = field(default_factory=dict)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        i = self.ingest
        out = [
            f"threec run {self.run_id}: figures as of {self.as_of}",
            f"  files: {i.count('loaded')} loaded, {i.count('unchanged')} already loaded, "
            f"{i.count('rejected')} rejected whole",
            f"  rows: {i.rows_loaded:,} loaded, {i.rows_quarantined:,} quarantined (see dq.quarantine)",
        ]
        for f in i.files:
            if f.status == "rejected":
                out.append(f"  rejected: {f.file}: {f.message}")
        c = self.checks
        out.append(f"  checks: {sum(r.success for r in c.results)} of {len(c.results)} passed, "
                   f"{len(c.warnings)} warnings (report: {c.report_path})")
        out += [f"    {line}" for line in c.lines()]
        out += [f"  {k}: {v}" for k, v in self.headline.items()]
        out.append(f"  published: {self.published.version_dir} ({len(self.published.tables)} tables)")
        out.append(f"  took {self.seconds:.1f} s")
        return out


def headline(settings: Settings) -> dict[str, object]:
    con = connect(settings, read_only=True)
    try:
        conv = con.execute("""
            select count(*),
                   count(*) filter (where conversation_type in ('C1', 'C1A')),
                   count(*) filter (where conversation_type in ('C1', 'C1A') and outcome_bucket = 'closed_positive'),
                   count(*) filter (where is_direct_escalation),
                   count(*) filter (where is_unexplained_escalation)
            from marts.fct_conversations""").fetchone()
        req = con.execute("""select count(*), count(*) filter (where first_conversation_date is null),
                   count(*) filter (where is_new_client), count(*) filter (where led_to_long_term_support)
            from marts.fct_requests""").fetchone()
        files = con.execute("""select count(*) filter (where status = 'loaded'),
                   count(*) filter (where status = 'rejected'),
                   coalesce(sum(rows_loaded), 0), coalesce(sum(rows_quarantined), 0)
            from dq.file_ledger""").fetchone()
    finally:
        con.close()
    pct = lambda n, d: f"{100 * n / d:.1f}%" if d else "n/a"  # noqa: E731
    return {
        "warehouse holds": f"{files[0]:,} files loaded ({files[2]:,} rows), {files[3]:,} rows quarantined, "
                           f"{files[1]:,} files rejected whole",
        "conversations": f"{conv[0]:,}",
        "first conversations closed positive": f"{conv[2]:,} of {conv[1]:,} ({pct(conv[2], conv[1])})",
        "unexplained C1->C3 escalations": f"{conv[4]:,} of {conv[3]:,} direct ({pct(conv[4], conv[3])})",
        "requests waiting": f"{req[1]:,} of {req[0]:,}",
        "new requests leading to long-term support": f"{req[3]:,} of {req[2]:,} ({pct(req[3], req[2])})",
    }


def run(settings: Settings, as_of: dt.date | None = None, progress=log.info,
        full_refresh: bool = False) -> RunSummary:
    """The whole run holds the warehouse lock from the first step to the last, so a second
    run started meanwhile stops at once ("already running") instead of slipping in between
    two steps of this one. Each step takes the lock again (re-entrant), so a step called
    alone, as the DAG's tasks do, is guarded the same way."""
    started = time.monotonic()
    with run_lock(settings):
        as_of = as_of or default_as_of(settings)
        run_id = new_run_id(as_of)
        progress(f"run {run_id}: landing {settings.landing_dir} -> warehouse {settings.warehouse}")
        summary_ingest = ingest_step(settings, as_of, run_id, progress)
        build_step(settings, as_of, progress, full_refresh)
        checks = check_step(settings, as_of, run_id, progress)
        published = publish_step(settings, as_of, run_id, progress)
        figures = headline(settings)
    return RunSummary(run_id, as_of, summary_ingest, checks, published, figures, time.monotonic() - started)
