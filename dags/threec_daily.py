"""threec_daily: wait for the day's extract, ingest it, build the warehouse, check it, publish for BI.

The logical date is the as-of date of the figures (UK time). `wait_for_extract` holds the
run, deferred, until `<landing>/<as-of date>/` has arrived (param `extract_timeout_minutes`,
default 480; then it fails with an alert). One run loads every extract folder dated on or
before its as-of date that is not yet loaded. Backfill runs never wait. Logic lives in
threec.orchestration and threec.sensors."""

from datetime import timedelta

import pendulum
from airflow.sdk import Param, dag, get_current_context, task

from threec import orchestration
from threec.notifier import ThreecNotifier
from threec.sensors import ExtractSensor


@dag(
    dag_id="threec_daily",
    schedule="0 6 * * *",
    start_date=pendulum.datetime(2025, 1, 1, tz="Europe/London"),
    catchup=False,
    max_active_runs=1,
    params={
        "wait_for_extract": Param(True, type="boolean",
                                  description="wait for the as-of date's extract folder; off: run on what has arrived"),
        "extract_timeout_minutes": Param(orchestration.DEFAULT_EXTRACT_TIMEOUT_MINUTES, type="number",
                                         exclusiveMinimum=0, maximum=1440,
                                         description="how long to wait for the extract before failing with an alert"),
    },
    default_args={"retries": 2, "retry_delay": timedelta(minutes=2), "retry_exponential_backoff": True,
                  # task-level, so each alert carries the failed task's own error
                  "on_failure_callback": ThreecNotifier()},
    tags=["threec"],
    doc_md=__doc__,
)
def threec_daily():
    wait = ExtractSensor(task_id="wait_for_extract")

    @task
    def ingest() -> dict:
        return orchestration.task_ingest(get_current_context())

    @task
    def build(ingested: dict) -> dict:
        orchestration.task_build(ingested)
        return ingested

    @task(on_success_callback=ThreecNotifier(only_when_warnings=True))
    def check(built: dict) -> dict:
        return orchestration.task_check(built)

    @task
    def publish(checked: dict) -> dict:
        return orchestration.task_publish(checked)

    ingested = ingest()
    wait >> ingested
    publish(check(build(ingested)))


threec_daily()
