"""What the Airflow task of threec_yearly_returns does, free of Airflow imports at module
level so it is tested without a scheduler."""

from __future__ import annotations

import logging
from typing import Any, Mapping

from threec.orchestration import as_of_from_context, settings_with_variables
from threec.pipeline import default_as_of
from threec.returns.job import run_returns
from threec.returns.year import latest_complete_year, parse_year

log = logging.getLogger("threec.returns")


def year_for_run(context: Mapping[str, Any]) -> str:
    """The `year` param when given, else the latest financial year ended by the run's date."""
    chosen = str((context.get("params") or {}).get("year") or "").strip()
    return chosen or latest_complete_year(as_of_from_context(context)).label


def task_returns(context: Mapping[str, Any]) -> dict[str, Any]:
    settings = settings_with_variables()
    year = parse_year(year_for_run(context))
    # The data is taken as of the latest extract on or before the run's date, so a rerun of
    # the same run gives the same files even after later extracts arrive.
    as_of = default_as_of(settings, today=as_of_from_context(context))
    summary = run_returns(settings, year, as_of)
    for line in summary.lines():
        log.info("%s", line)
    return {"year": year.label, "as_of": as_of.isoformat(), "folder": str(summary.folder),
            "rows_by_event_type": summary.rows_by_event_type,
            "rules_failing": [r.rule_id for r in summary.validation if r.status == "fail"]}
