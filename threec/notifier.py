"""The Airflow notifier for threec's DAGs (callbacks). Kept apart from threec.alerts so
the command line never imports Airflow."""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from airflow.sdk.bases.notifier import BaseNotifier

from threec.alerts import RECIPIENTS_VARIABLE, SMTP_CONN_ID, write_alert

log = logging.getLogger("threec.alerts")


class ThreecNotifier(BaseNotifier):
    """Airflow callback: on a failed task, or on the check task when warnings fired,
    write the JSON summary and log line, and e-mail when `threec_smtp` is configured."""

    template_fields = ()

    def __init__(self, only_when_warnings: bool = False):
        super().__init__()
        self.only_when_warnings = only_when_warnings

    def notify(self, context: dict[str, Any]) -> None:
        from threec.orchestration import settings_with_variables
        settings = settings_with_variables()
        run = context.get("dag_run")
        ti = context.get("ti") or context.get("task_instance")
        checks_path = settings.output_dir / "dq" / "checks.json"
        checks = json.loads(checks_path.read_text()) if checks_path.exists() else {}
        if self.only_when_warnings and not checks.get("warnings"):
            return
        exception = context.get("exception")
        payload = {
            "level": "warnings" if self.only_when_warnings else "failed",
            "dag_id": getattr(run, "dag_id", None), "run_id": getattr(run, "run_id", None),
            "task_id": getattr(ti, "task_id", None),
            "error": str(exception).splitlines()[0][:2000] if exception else None,
            "failed_checks": checks.get("failed", []), "warnings": checks.get("warnings", []),
            "report": checks.get("report_path"),
        }
        name = f"airflow-{payload['dag_id']}-{payload['run_id']}-{payload['task_id']}".replace(":", "_").replace("/", "_")
        path = write_alert(settings, name, payload)
        log.warning("threec alert: %s %s task %s: %s (summary: %s)", payload["dag_id"], payload["level"],
                    payload["task_id"], payload["error"] or ", ".join(payload["warnings"]), path)
        self._email(payload, context)

    @staticmethod
    def _email(payload: dict[str, Any], context: dict[str, Any]) -> None:
        from airflow.sdk import BaseHook, Variable
        try:
            BaseHook.get_connection(SMTP_CONN_ID)
        except Exception:  # noqa: BLE001 - no connection configured: e-mail is optional
            return
        to = Variable.get(RECIPIENTS_VARIABLE, default=None) or os.environ.get(RECIPIENTS_VARIABLE)
        if not to:
            log.warning("threec alert: %s is configured but %s names no recipients", SMTP_CONN_ID, RECIPIENTS_VARIABLE)
            return
        from airflow.providers.smtp.notifications.smtp import SmtpNotifier
        body = "<br>".join(f"<b>{k}</b>: {v}" for k, v in payload.items())
        SmtpNotifier(to=[t.strip() for t in to.split(",") if t.strip()], smtp_conn_id=SMTP_CONN_ID,
                     subject=f"threec {payload['level']}: {payload['dag_id']} {payload['run_id']}",
                     html_content=body).notify(context)
