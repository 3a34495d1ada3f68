"""What the Airflow tasks of `threec_daily` do, kept out of the DAG file and free of
Airflow imports at module level, so it is tested without a scheduler."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Callable, Mapping

from threec.checks.runner import ChecksFailed
from threec.config import ENV_VARS, Settings, load_settings
from threec.pipeline import build_step, check_step, headline, ingest_step, new_run_id, publish_step

log = logging.getLogger("threec")
LONDON = "Europe/London"


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
