"""threec_yearly_returns: the statutory returns of a financial year (Client Level Data file,
its validation, ASCOF, SALT-style and ASC-FR tables) under THREEC_RETURNS_DIR/<year>/.

Runs at 07:00 on 1 May, after each year end and its late corrections; param `year`
('2024-25') picks another year, empty = the latest year ended by the run's date. Safe to
rerun: the year's folder is replaced in one step. Logic lives in threec.returns."""

import pendulum
from airflow.sdk import Param, dag, get_current_context, task

from threec.notifier import ThreecNotifier
from threec.returns import tasks


@dag(
    dag_id="threec_yearly_returns",
    schedule="0 7 1 5 *",
    start_date=pendulum.datetime(2025, 1, 1, tz="Europe/London"),
    catchup=False,
    max_active_runs=1,
    params={"year": Param("", type="string", pattern=r"^(\d{4}-\d{2})?$",
                          description="Financial year, e.g. 2024-25; empty = the latest year ended")},
    # task-level, so the alert carries the task's own error
    default_args={"retries": 1, "on_failure_callback": ThreecNotifier()},
    tags=["threec", "returns"],
    doc_md=__doc__,
)
def threec_yearly_returns():
    @task
    def returns() -> dict:
        return tasks.task_returns(get_current_context())

    returns()


threec_yearly_returns()
