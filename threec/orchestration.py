"""What the Airflow tasks of `threec_daily` do, kept out of the DAG file and free of
Airflow imports at module level, so it is tested without a scheduler."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from threec.checks.runner import ChecksFailed
from threec.config import ENV_VARS, Settings, load_settings
from threec.contract import load_contract
from threec.landing import MANIFEST
from threec.pipeline import build_step, check_step, headline, ingest_step, new_run_id, publish_step

log = logging.getLogger("threec")
LONDON = "Europe/London"
# The day's extract is usually there before 06:00; a poke every few minutes costs nothing
# while deferred (the triggerer holds the wait, no worker slot does).
EXTRACT_POKE_SECONDS = 180.0
DEFAULT_EXTRACT_TIMEOUT_MINUTES = 480  # by 14:00 someone must chase the export


def as_of_from_context(context: Mapping[str, Any]) -> dt.date:
    """The as-of date is the run's logical date (in UK time); a manual run without one
    uses the time it was asked to run after."""
    moment = context.get("logical_date") or context["dag_run"].run_after
    import pendulum
    return pendulum.instance(moment).in_timezone(LONDON).date()


def settings_with_variables(get_variable: Callable[[str], str | None] | None = None) -> Settings:
    """Environment settings, overridden by Airflow Variables of the same names."""
    if get_variable is None:
        from airflow.sdk import Variable

        def get_variable(name: str) -> str | None:
            return Variable.get(name, default=None)
    overrides = {name: get_variable(name) for name in ENV_VARS}
    return load_settings(overrides)


def task_ingest(context: Mapping[str, Any]) -> dict[str, Any]:
    settings = settings_with_variables()
    as_of = as_of_from_context(context)
    run_id = new_run_id(as_of)
    summary = ingest_step(settings, as_of, run_id)
    return {"run_id": run_id, "as_of": as_of.isoformat(),
            "files_loaded": summary.count("loaded"), "files_rejected": summary.count("rejected"),
            "rows_loaded": summary.rows_loaded, "rows_quarantined": summary.rows_quarantined}


def task_build(ingested: Mapping[str, Any]) -> None:
    build_step(settings_with_variables(), dt.date.fromisoformat(ingested["as_of"]))


def task_check(ingested: Mapping[str, Any]) -> dict[str, Any]:
    from airflow.exceptions import AirflowFailException
    try:
        report = check_step(settings_with_variables(), dt.date.fromisoformat(ingested["as_of"]), ingested["run_id"])
    except ChecksFailed as exc:
        raise AirflowFailException(str(exc)) from None  # the same data fails again: no retries
    return {**ingested, "checks_failed": [r.name for r in report.failed],
            "checks_warned": [r.name for r in report.warnings], "report": report.report_path}


def task_publish(ingested: Mapping[str, Any]) -> dict[str, Any]:
    settings = settings_with_variables()
    published = publish_step(settings, dt.date.fromisoformat(ingested["as_of"]), ingested["run_id"])
    figures = headline(settings)
    for key, value in figures.items():
        log.info("%s: %s", key, value)
    return {**ingested, "published": str(published.version_dir), "tables": len(published.tables), **figures}


@dataclass(frozen=True)
class ExtractWait:
    """What the `wait_for_extract` task of one run does."""
    as_of: dt.date
    folder: Path
    wait: bool  # False: run on what has arrived, without waiting for this day's folder
    timeout_minutes: float
    why_not_waiting: str | None = None


def extract_arrived(folder: Path) -> bool:
    """A day's extract has arrived when its folder holds the manifest or any file of the
    contract. The export writes the folder under another name and renames it into place
    (docs/deployment.md), so a folder that is there is whole."""
    if not folder.is_dir():
        return False
    files = {e.file_name for e in load_contract().entities.values()}
    return any(child.name in files or child.name.lower() == MANIFEST for child in folder.iterdir())


def extract_wait(context: Mapping[str, Any], settings: Settings | None = None) -> ExtractWait:
    """Which folder a run waits for, and whether it waits at all. Scheduled and manual runs
    wait for their as-of date's folder (param `wait_for_extract`, default on); a backfill
    replays past days, where a missing folder means nothing was delivered that day, so it
    never waits: each run loads what is there, as a daily run would have."""
    settings = settings or settings_with_variables()
    as_of = as_of_from_context(context)
    params = context.get("params") or {}
    run_type = getattr(context.get("dag_run"), "run_type", None)
    run_type = str(getattr(run_type, "value", run_type) or "")  # an enum at run time: str() gives its name
    try:
        timeout = float(params.get("extract_timeout_minutes", DEFAULT_EXTRACT_TIMEOUT_MINUTES))
    except (TypeError, ValueError):
        timeout = -1
    if not timeout > 0:
        from threec.errors import ConfigError
        raise ConfigError(f"param extract_timeout_minutes must be a number of minutes above 0, "
                          f"got {params.get('extract_timeout_minutes')!r}")
    why_not = None
    if run_type == "backfill":
        why_not = "a backfill run does not wait"
    elif not params.get("wait_for_extract", True):
        why_not = "param wait_for_extract is off"
    return ExtractWait(as_of, settings.landing_dir / as_of.isoformat(), why_not is None, timeout, why_not)


def late_extract_message(plan: ExtractWait) -> str:
    """The one line the failed task, its alert and its e-mail carry."""
    return (f"the extract for {plan.as_of} has not arrived: no manifest.csv or export file in "
            f"{plan.folder} after waiting {plan.timeout_minutes:g} minutes. Nothing was loaded or "
            f"published; the last published files stay. When the export is delivered, clear this task "
            f"(or trigger threec_daily for {plan.as_of}); see docs/runbook.md, \"A late extract\".")
