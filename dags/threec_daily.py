"""threec_daily: ingest the night's extracts, build the warehouse, check it, publish for BI.

One run loads every extract folder dated on or before its logical date that is not yet
loaded; the figures are as of that date. Logic lives in threec.orchestration."""

from datetime import timedelta

import pendulum
from airflow.sdk import dag, get_current_context, task

from threec import orchestration
from threec.notifier import ThreecNotifier


@dag(
    dag_id="threec_daily",
    schedule="0 6 * * *",
    start_date=pendulum.datetime(2025, 1, 1, tz="Europe/London"),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=2), "retry_exponential_backoff": True},
    tags=["threec"],
    doc_md=__doc__,
    on_failure_callback=ThreecNotifier(),
)
def threec_daily():
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

    publish(check(build(ingest())))


threec_daily()
