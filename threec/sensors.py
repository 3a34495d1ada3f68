"""The sensor that holds threec_daily until the day's extract is in the landing folder.

While it waits it is deferred: the triggerer checks the folder every few minutes and no
worker slot is held. What it waits for, and the alert text, live in threec.orchestration."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any, AsyncIterator

from airflow.sdk import BaseSensorOperator
from airflow.sdk.exceptions import AirflowSensorTimeout
from airflow.triggers.base import BaseTrigger, TriggerEvent

from threec import orchestration


class ExtractTrigger(BaseTrigger):
    """Fires once: when the folder's extract has arrived, or at the deadline. The deadline
    is absolute, so a triggerer restart does not lengthen the wait."""

    def __init__(self, folder: str, deadline: str, poke_seconds: float = orchestration.EXTRACT_POKE_SECONDS):
        super().__init__()
        self.folder = folder
        self.deadline = deadline
        self.poke_seconds = poke_seconds

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return ("threec.sensors.ExtractTrigger",
                {"folder": self.folder, "deadline": self.deadline, "poke_seconds": self.poke_seconds})

    async def run(self) -> AsyncIterator[TriggerEvent]:
        deadline = dt.datetime.fromisoformat(self.deadline)
        folder = Path(self.folder)
        while True:
            # in a thread: a slow network share must not stall every other trigger
            if await asyncio.to_thread(orchestration.extract_arrived, folder):
                yield TriggerEvent({"status": "arrived"})
                return
            left = (deadline - dt.datetime.now(dt.timezone.utc)).total_seconds()
            if left <= 0:
                yield TriggerEvent({"status": "timeout"})
                return
            await asyncio.sleep(min(self.poke_seconds, left))


class ExtractSensor(BaseSensorOperator):
    """Waits, deferred, for the run's as-of date's extract folder (threec.orchestration.extract_wait)."""

    ui_color = "#e8f4ea"

    def __init__(self, *, poke_seconds: float = orchestration.EXTRACT_POKE_SECONDS, **kwargs: Any):
        super().__init__(**kwargs)
        self.poke_seconds = poke_seconds

    def poke(self, context: Any) -> bool:
        return orchestration.extract_arrived(orchestration.extract_wait(context).folder)

    def execute(self, context: Any) -> dict[str, Any]:
        plan = orchestration.extract_wait(context)
        if orchestration.extract_arrived(plan.folder):
            self.log.info("the extract for %s is in %s", plan.as_of, plan.folder)
            return {"as_of": plan.as_of.isoformat(), "arrived": True}
        if not plan.wait:
            self.log.warning("no extract for %s in %s (%s): the run loads what has arrived up to %s",
                             plan.as_of, plan.folder, plan.why_not_waiting, plan.as_of)
            return {"as_of": plan.as_of.isoformat(), "arrived": False}
        wait = dt.timedelta(minutes=plan.timeout_minutes)
        deadline = dt.datetime.now(dt.timezone.utc) + wait
        self.log.info("waiting (deferred) for the extract for %s in %s until %s", plan.as_of, plan.folder,
                      deadline.isoformat(timespec="seconds"))
        self.defer(trigger=ExtractTrigger(str(plan.folder), deadline.isoformat(), self.poke_seconds),
                   method_name="execute_complete",
                   # a backstop only: the trigger itself ends the wait at the deadline
                   timeout=wait + dt.timedelta(minutes=10))

    def execute_complete(self, context: Any, event: dict[str, Any]) -> dict[str, Any]:
        plan = orchestration.extract_wait(context)
        if event.get("status") == "arrived":
            self.log.info("the extract for %s arrived in %s", plan.as_of, plan.folder)
            return {"as_of": plan.as_of.isoformat(), "arrived": True}
        # AirflowSensorTimeout is never retried: waiting again would only delay the alert
        raise AirflowSensorTimeout(orchestration.late_extract_message(plan))
