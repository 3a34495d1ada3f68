"""`threec returns --year 2024-25` and the DAG threec_yearly_returns: build the year's
returns models, write the files under THREEC_RETURNS_DIR/<year>/ (owner-only), replace
the previous files of that year in one step. Rerunning a year gives the same files."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from threec.config import Settings
from threec.dbt import run_dbt
from threec.errors import ThreecError
from threec.pipeline import default_as_of
from threec.privacy import sql_str
from threec.returns.cld_file import build_cld_table, write_cld_csv
from threec.returns.outputs import write_measures, write_validation
from threec.returns.validation import RuleResult, validate
from threec.returns.year import ReturnYear
from threec.warehouse import run_lock

log = logging.getLogger("threec.returns")
EVENT_TYPES = ("Request", "Assessment", "Review", "Service")


@dataclass
class ReturnsSummary:
    year: ReturnYear
    as_of: dt.date
    folder: Path
    files: list[Path]
    rows_by_event_type: dict[str, int]
    validation: list[RuleResult]
    ascof: list[tuple] = field(default_factory=list)

    def lines(self) -> list[str]:
        failing = [r for r in self.validation if r.status == "fail"]
        out = [f"threec returns {self.year.label} ({self.year.start} to {self.year.end}), data as of {self.as_of}",
               f"  written to {self.folder}: " + ", ".join(p.name for p in self.files),
               "  CLD rows: " + ", ".join(f"{k} {v:,}" for k, v in self.rows_by_event_type.items())
               + f" (total {sum(self.rows_by_event_type.values()):,})",
               f"  validation: {len(failing)} of {sum(r.status != 'not in export' for r in self.validation)} "
               "rules failing"]
        out += [f"    FAIL {r.rule_id}: {r.rows_failing:,} of {r.rows_checked:,} rows "
                f"(e.g. {', '.join(r.examples[:3])})" for r in failing]
        out += [f"  {line}" for line in self.ascof_lines()]
        return out

    def ascof_lines(self) -> list[str]:
        return [f"ASCOF {m} {g}: {n:,} / {d:,} = {v:.1f}" if v is not None else f"ASCOF {m} {g}: {n} / {d}"
                for m, g, n, d, v in self.ascof]


def _secure_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)


def run_returns(settings: Settings, year: ReturnYear, as_of: dt.date | None = None,
                progress=log.info) -> ReturnsSummary:
    as_of = as_of or default_as_of(settings)
    if as_of < year.end:
        raise ThreecError(f"the warehouse's figures are as of {as_of}, before the end of {year.label} "
                          f"({year.end}): load the extracts up to the year end first (or pass a later --as-of)")
    if not settings.warehouse.exists():
        raise ThreecError(f"there is no warehouse at {settings.warehouse}: run the daily load (`threec run`) first")
    year_settings = dataclasses.replace(settings, var_overrides={**settings.var_overrides, "cld_year": year.label})
    with run_lock(settings):
        progress(f"returns {year.label}: building the returns models (dbt, selector returns) as of {as_of}")
        run_dbt(year_settings, "build", as_of, "--selector", "returns", progress=progress)
        _secure_dir(settings.returns_dir)
        final = settings.returns_dir / year.label
        staging = settings.returns_dir / f".{year.label}.partial-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        _secure_dir(staging)
        try:
            summary = _write_year(settings, year, as_of, staging, progress)
            for path in staging.iterdir():
                os.chmod(path, 0o600)
            _swap_in(staging, final)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    summary.folder = final
    summary.files = [final / p.name for p in summary.files]
    return summary


def _write_year(settings: Settings, year: ReturnYear, as_of: dt.date, folder: Path, progress) -> ReturnsSummary:
    con = duckdb.connect()
    try:
        con.execute(f"attach {sql_str(str(settings.warehouse))} as wh (read_only)")
        progress("returns: joining the identity vault's identifiers to the events (in memory only)")
        fields = build_cld_table(settings, con)
        counts = dict(con.execute("select Event_Type, count(*) from cld group by 1").fetchall())
        rows_by_type = {t: counts.get(t, 0) for t in EVENT_TYPES}
        cld_path = folder / f"cld-{year.label}.csv"
        write_cld_csv(con, fields, cld_path)
        progress(f"returns: {cld_path.name}: {sum(counts.values()):,} rows; validating field by field")
        results = validate(con, fields, year)
        files = [cld_path, *write_validation(con, results, folder, year, rows_by_type),
                 *write_measures(con, folder, year)]
        ascof = []
        if con.execute("select count(*) from information_schema.tables where table_catalog = 'wh' "
                       "and table_schema = 'returns' and table_name = 'rpt_ascof'").fetchone()[0]:
            ascof = con.execute("select measure, measure_group, numerator, denominator, value "
                                "from wh.returns.rpt_ascof order by 1, 2").fetchall()
    finally:
        con.close()
    return ReturnsSummary(year, as_of, folder, files, rows_by_type, results, ascof)


def _swap_in(staging: Path, final: Path) -> None:
    """Replace the year's folder in one rename, so a reader sees the old files or the new
    ones, never a mixture; the old folder goes only once the new one is in place."""
    old = final.with_name(f".{final.name}.old-{os.getpid()}")
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    shutil.rmtree(old, ignore_errors=True)
