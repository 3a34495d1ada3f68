"""DAG integrity, and a real run of threec_daily through Airflow (`airflow dags test`)."""

from __future__ import annotations

import datetime as dt

import pytest

from threec import orchestration
from threec.config import REPO_ROOT
from threec.errors import ConfigError
from threec.orchestration import as_of_from_context, settings_with_variables

from helpers import settings_for


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag
    return DagBag(dag_folder=str(REPO_ROOT / "dags"))


def test_dags_import_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert "threec_daily" in dagbag.dag_ids


def test_threec_daily_shape(dagbag):
    dag = dagbag.dags["threec_daily"]
    assert dag.max_active_runs == 1
    assert not dag.catchup
    assert {t.task_id: sorted(t.downstream_task_ids) for t in dag.tasks} == {
        "wait_for_extract": ["ingest"], "ingest": ["build"], "build": ["check"], "check": ["publish"],
        "publish": []}
    for task in dag.tasks:
        assert task.retries >= 1 and task.retry_exponential_backoff
        assert task.on_failure_callback, f"{task.task_id} fails without an alert"
    assert dag.params["wait_for_extract"] is True
    assert dag.params["extract_timeout_minutes"] == orchestration.DEFAULT_EXTRACT_TIMEOUT_MINUTES


def test_both_dags_are_documented_in_the_readme_with_their_params(dagbag):
    readme = (REPO_ROOT / "README.md").read_text()
    for dag_id in ("threec_daily", "threec_yearly_returns"):
        if dag_id not in dagbag.dag_ids:
            continue  # threec_yearly_returns arrives with the returns work
        assert f"`{dag_id}`" in readme
        for param in dagbag.dags[dag_id].params:
            assert f"`{param}`" in readme, f"README does not document {dag_id}'s param {param}"


def test_dag_files_stay_thin():
    for path in (REPO_ROOT / "dags").glob("*.py"):
        code = [ln for ln in path.read_text().splitlines() if ln.strip() and not ln.strip().startswith("#")]
        assert len(code) < 60, f"{path.name} holds logic: move it into the threec package"
        assert "duckdb" not in path.read_text() and "subprocess" not in path.read_text()


def test_as_of_is_the_logical_date_in_uk_time():
    import pendulum
    late_evening_utc = pendulum.datetime(2025, 6, 30, 23, 30, tz="UTC")  # 00:30 on 1 July in London
    assert as_of_from_context({"logical_date": late_evening_utc}) == dt.date(2025, 7, 1)

    class Run:
        run_after = pendulum.datetime(2025, 3, 31, 6, 0, tz="Europe/London")
    assert as_of_from_context({"logical_date": None, "dag_run": Run()}) == dt.date(2025, 3, 31)


def test_airflow_variables_override_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("THREEC_LANDING_DIR", str(tmp_path / "from-env"))
    from helpers import TEST_KEY, TEST_VAULT_KEY
    monkeypatch.setenv("THREEC_PSEUDONYM_KEY", TEST_KEY)
    monkeypatch.setenv("THREEC_VAULT_KEY", TEST_VAULT_KEY)
    variables = {"THREEC_LANDING_DIR": str(tmp_path / "from-variable")}
    settings = settings_with_variables(variables.get)
    assert settings.landing_dir == tmp_path / "from-variable"
    assert settings_with_variables(lambda _name: None).landing_dir == tmp_path / "from-env"


class _Run:
    def __init__(self, run_type: str):
        self.run_type = run_type


def _context(day: str, run_type="scheduled", **params) -> dict:
    import pendulum
    return {"logical_date": pendulum.parse(f"{day}T06:00:00", tz="Europe/London"), "params": params,
            "dag_run": _Run(run_type)}


def test_the_sensor_waits_for_the_as_of_dates_folder(tmp_path):
    settings = settings_for(tmp_path)
    plan = orchestration.extract_wait(_context("2025-03-30"), settings)
    assert plan.folder == settings.landing_dir / "2025-03-30" and plan.wait
    assert plan.timeout_minutes == orchestration.DEFAULT_EXTRACT_TIMEOUT_MINUTES
    assert not orchestration.extract_arrived(plan.folder)
    plan.folder.mkdir(parents=True)
    (plan.folder / "notes.txt").write_text("not an export file")
    assert not orchestration.extract_arrived(plan.folder)  # only the contract's files count
    (plan.folder / "conversations.csv").write_text("conversation_id\n")
    assert orchestration.extract_arrived(plan.folder)
    assert orchestration.extract_arrived(tmp_path / "other" / "2025-03-30") is False


def test_backfill_and_opted_out_runs_do_not_wait(tmp_path):
    settings = settings_for(tmp_path)
    from airflow.sdk.api.datamodels._generated import DagRunType  # what a task's dag_run holds
    backfill = orchestration.extract_wait(_context("2025-03-30", DagRunType.BACKFILL), settings)
    assert not backfill.wait and "backfill" in backfill.why_not_waiting
    manual = orchestration.extract_wait(_context("2025-03-30", "manual", wait_for_extract=False), settings)
    assert not manual.wait and "wait_for_extract" in manual.why_not_waiting
    with pytest.raises(ConfigError, match="extract_timeout_minutes"):
        orchestration.extract_wait(_context("2025-03-30", extract_timeout_minutes=0), settings)


def test_the_late_extract_alert_says_what_happened_and_what_to_do(tmp_path):
    plan = orchestration.extract_wait(_context("2025-04-01", extract_timeout_minutes=90), settings_for(tmp_path))
    message = orchestration.late_extract_message(plan)
    assert "\n" not in message
    for part in ("2025-04-01", str(plan.folder), "90 minutes", "last published files stay", "runbook"):
        assert part in message


def test_the_trigger_fires_when_the_folder_arrives_or_at_its_deadline(tmp_path):
    import asyncio

    from threec.sensors import ExtractTrigger

    async def first_event(trigger, deliver_after: float | None = None):
        async def deliver():
            await asyncio.sleep(deliver_after)
            (tmp_path / "2025-04-01").mkdir()
            (tmp_path / "2025-04-01" / "manifest.csv").write_text("entity,file,row_count,sha256\n")
        task = asyncio.ensure_future(deliver()) if deliver_after is not None else None
        async for event in trigger.run():
            if task:
                await task
            return event.payload

    soon = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=0.3)).isoformat()
    folder = str(tmp_path / "2025-04-01")
    assert asyncio.run(first_event(ExtractTrigger(folder, soon, poke_seconds=0.05))) == {"status": "timeout"}
    later = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=5)).isoformat()
    trigger = ExtractTrigger(folder, later, poke_seconds=0.05)
    assert asyncio.run(first_event(trigger, deliver_after=0.2)) == {"status": "arrived"}
    # the triggerer rebuilds it from this, in another process
    path, kwargs = trigger.serialize()
    assert path == "threec.sensors.ExtractTrigger" and ExtractTrigger(**kwargs).serialize() == (path, kwargs)


def test_the_sensor_defers_and_fails_with_the_alert_text(tmp_path, monkeypatch):
    from airflow.sdk.exceptions import AirflowSensorTimeout, TaskDeferred

    from threec.sensors import ExtractSensor, ExtractTrigger
    settings = settings_for(tmp_path)
    monkeypatch.setattr(orchestration, "settings_with_variables", lambda *a: settings)
    sensor = ExtractSensor(task_id="wait_for_extract")
    context = _context("2025-04-01", extract_timeout_minutes=30)
    with pytest.raises(TaskDeferred) as deferred:
        sensor.execute(context)
    assert isinstance(deferred.value.trigger, ExtractTrigger)
    assert deferred.value.trigger.folder == str(settings.landing_dir / "2025-04-01")
    assert deferred.value.method_name == "execute_complete"
    with pytest.raises(AirflowSensorTimeout, match="the extract for 2025-04-01 has not arrived"):
        sensor.execute_complete(context, {"status": "timeout"})
    assert sensor.execute_complete(context, {"status": "arrived"})["arrived"]
    # a backfill run goes on without the folder
    assert sensor.execute(_context("2025-04-01", "backfill")) == {"as_of": "2025-04-01", "arrived": False}


@pytest.mark.slow
def test_threec_daily_runs_through_airflow(small_council, tmp_path):
    from threec.airflow_runner import dags_test
    from threec.publish import current_dir
    from threec.warehouse import connect
    settings = small_council.settings_in(tmp_path)
    out = dags_test(settings, "threec_daily", small_council.last_extract)
    assert "state=success" in out.replace(" ", "")
    con = connect(settings, read_only=True)
    try:
        (n,) = con.execute("select count(*) from marts.fct_conversations").fetchone()
        (as_of,) = con.execute("select max(as_of_date) from marts.fct_conversations").fetchone()
    finally:
        con.close()
    assert n > 100 and as_of == small_council.last_extract
    assert (current_dir(settings) / "fct_conversations.parquet").is_file()
    # the check task warned, so its notifier callback wrote an alert summary
    import json
    alerts = list((settings.output_dir / "dq" / "alerts").glob("airflow-threec_daily-*-check.json"))
    assert alerts, sorted(p.name for p in (settings.output_dir / "dq" / "alerts").iterdir())
    payload = json.loads(alerts[0].read_text())
    assert payload["level"] == "warnings" and payload["task_id"] == "check" and payload["warnings"]
