"""The production stack: docker-compose.yml's Airflow services started as real processes
from the same entrypoint, on a fresh PostgreSQL database, driven through the REST API as
an operator would; and the compose file checked against what those tests run."""

from __future__ import annotations

import json
import re
import subprocess
import time

import pytest

from conftest import marts_snapshot
from helpers import TEST_KEY, TEST_VAULT_KEY, settings_for
from stack import (AIRFLOW_SERVICES, COMPOSE_FILE, ENTRYPOINT, HOST_REPLACED, TEST_ONLY, Stack,
                   compose_variables, load_compose)
from threec.config import REPO_ROOT
from threec.deploy import COMPONENTS, problems
from threec.publish import current_version, marts_dir

DAG = "threec_daily"
# A manual run on the small council's last extract day, at 09:00 in London: the backfill's
# scheduled 06:00 runs of the same days must not find it in their place.
LAST_EXTRACT = "2025-03-31T09:00:00+01:00"


def _stack(tmp_path, small_council, executor: str):
    stack = Stack(tmp_path / "stack", small_council.landing, executor)
    try:
        stack.start()
        stack.wait_for_dag(DAG)
        stack.api("PATCH", f"/dags/{DAG}", json={"is_paused": False})
    except BaseException:
        stack.stop()
        raise
    return stack


@pytest.fixture
def local_stack(tmp_path, small_council):
    stack = _stack(tmp_path, small_council, "LocalExecutor")
    yield stack
    stack.stop()


@pytest.fixture
def celery_stack(tmp_path, small_council):
    stack = _stack(tmp_path, small_council, "CeleryExecutor")
    yield stack
    stack.stop()


def _trigger(stack: Stack, logical_date: str, conf: dict | None = None) -> str:
    run = stack.api("POST", f"/dags/{DAG}/dagRuns", json={"logical_date": logical_date, "conf": conf or {}})
    return run["dag_run_id"]


def _settings(stack: Stack, sub: str = ""):
    env = stack.host_values()
    base = stack.root / sub if sub else None
    return settings_for(stack.root, THREEC_LANDING_DIR=env["THREEC_LANDING_DIR"],
                        THREEC_WAREHOUSE=str(base / "warehouse" / "threec.duckdb") if base else env["THREEC_WAREHOUSE"],
                        THREEC_OUTPUT_DIR=str(base / "output") if base else env["THREEC_OUTPUT_DIR"])


def _wait_for_backfill(stack: Stack, backfill_id: int, patience: float = 1800) -> list[dict]:
    give_up = time.monotonic() + patience  # a guard against hanging, not a performance bound
    while True:
        done = stack.api("GET", f"/backfills/{backfill_id}")["completed_at"]
        runs = stack.api("GET", f"/dags/{DAG}/dagRuns", params={"run_type": "backfill"})["dag_runs"]
        if done and all(r["state"] in ("success", "failed") for r in runs):
            return runs
        if time.monotonic() > give_up:
            raise RuntimeError(f"backfill {backfill_id} not done: {runs}\n{stack.all_logs()}")
        time.sleep(2)


def _assert_published_run(stack: Stack, run_id: str, as_of: str = "2025-03-31") -> None:
    from threec.warehouse import connect
    run = stack.wait_for_run(DAG, run_id)
    states = stack.task_states(DAG, run_id)
    assert run["state"] == "success", (states, stack.all_logs())
    assert states == dict.fromkeys(["wait_for_extract", "ingest", "build", "check", "publish"], "success")
    settings = _settings(stack)
    con = connect(settings, read_only=True)
    try:
        (n,) = con.execute("select count(*) from marts.fct_conversations").fetchone()
        (marts_as_of,) = con.execute("select max(as_of_date) from marts.fct_conversations").fetchone()
        (status,) = con.execute("select status from dq.runs order by started_at desc limit 1").fetchone()
    finally:
        con.close()
    assert n > 100 and str(marts_as_of) == as_of and status == "succeeded"
    current = current_version(marts_dir(settings))
    assert current.manifest["as_of_date"] == as_of
    assert current.tables["fct_conversations"] == n
    assert set(current.tables) >= {"fct_conversations", "fct_requests", "rpt_waiting_list"}
    assert (settings.output_dir / "dq" / "index.html").is_file()


@pytest.mark.slow
@pytest.mark.xdist_group("deployment-local")
def test_the_stack_runs_threec_daily_on_postgresql_with_a_real_scheduler(local_stack, small_council):
    stack = local_stack
    # every long-running service answers its compose health check
    assert all(stack.health(s) for s in ("api-server", "scheduler", "dag-processor", "triggerer"))
    # the API refuses anyone without a token
    import requests
    assert requests.get(f"{stack.url}/api/v2/dags", timeout=30).status_code in (401, 403)

    run_id = _trigger(stack, LAST_EXTRACT)
    _assert_published_run(stack, run_id)
    published = current_version(marts_dir(_settings(stack)))

    # A day whose extract never comes: the sensor defers (the triggerer holds the wait),
    # then fails at its deadline with the alert, and nothing is published.
    late = _trigger(stack, "2025-04-01T06:00:00+01:00", {"extract_timeout_minutes": 0.5})
    seen = set()
    while (run := stack.api("GET", f"/dags/{DAG}/dagRuns/{late}"))["state"] not in ("success", "failed"):
        seen.add(stack.task_states(DAG, late).get("wait_for_extract"))
    states = stack.task_states(DAG, late)
    assert run["state"] == "failed" and "deferred" in seen, (seen, states)
    assert states["wait_for_extract"] == "failed" and states["ingest"] == "upstream_failed"
    alerts = list((stack.root / "output" / "dq" / "alerts").glob(f"airflow-{DAG}-*-wait_for_extract.json"))
    assert len(alerts) == 1, alerts
    alert = json.loads(alerts[0].read_text())
    assert alert["level"] == "failed" and alert["error"].startswith("the extract for 2025-04-01 has not arrived")
    assert current_version(marts_dir(_settings(stack))).path == published.path

    # Backfill over a date range into a second warehouse (Airflow Variables override the
    # environment): the same marts as the run above.
    second = _settings(stack, "backfilled")
    for name, value in (("THREEC_WAREHOUSE", second.warehouse), ("THREEC_OUTPUT_DIR", second.output_dir)):
        stack.api("POST", "/variables", expect=(200, 201), json={"key": name, "value": str(value)})
    backfill = stack.api("POST", "/backfills", json={
        "dag_id": DAG, "from_date": "2025-03-30T00:00:00Z", "to_date": "2025-03-31T12:00:00Z",
        "max_active_runs": 1, "reprocess_behavior": "none"})
    runs = _wait_for_backfill(stack, backfill["id"])
    assert {r["state"] for r in runs} == {"success"}, (runs, stack.all_logs())
    assert backfill["dag_id"] == DAG
    assert sorted(r["logical_date"][:10] for r in runs) == ["2025-03-30", "2025-03-31"]
    assert marts_snapshot(second) == marts_snapshot(_settings(stack))


@pytest.mark.slow
@pytest.mark.xdist_group("deployment-celery")
def test_the_stack_runs_threec_daily_on_celery_workers(celery_stack):
    stack = celery_stack
    assert stack.health("celery-worker")
    run_id = _trigger(stack, LAST_EXTRACT)
    _assert_published_run(stack, run_id)
    # the tasks ran on the Celery worker, taken from this stack's queue
    tis = stack.api("GET", f"/dags/{DAG}/dagRuns/{run_id}/taskInstances")["task_instances"]
    assert {ti["queue"] for ti in tis} == {stack.queue}
    assert all(ti["hostname"] for ti in tis)
    worker_log = (stack.root / "process-logs" / "celery-worker.log").read_text(errors="replace")
    executed = [line for line in worker_log.splitlines() if "Executing workload in Celery" in line]
    for task_id in ("wait_for_extract", "ingest", "build", "check", "publish"):
        assert any(f"task_id='{task_id}'" in line for line in executed), (task_id, stack.log_tail("celery-worker"))


# --- the compose file agrees with what the tests above run --------------------------------

def test_compose_services_are_the_ones_the_tests_start():
    services = load_compose()["services"]
    default = {s for s, spec in services.items() if not spec.get("profiles")}
    celery = {s for s, spec in services.items() if "celery" in (spec.get("profiles") or [])}
    assert default == {"postgres", "airflow-init", "api-server", "scheduler", "dag-processor", "triggerer"}
    assert celery == {"redis", "celery-worker"}
    airflow = {s for s, spec in services.items() if spec.get("image", "").startswith("threec")}
    assert airflow == set(AIRFLOW_SERVICES)
    for service in airflow:
        spec = services[service]
        component = spec["command"][0]
        assert spec["command"] == ["init" if service == "airflow-init" else service]
        assert component in COMPONENTS
        if service != "airflow-init":
            assert spec["healthcheck"]["test"] == ["CMD", "/opt/threec/scripts/airflow-entrypoint.sh",
                                                   "health", component]
            assert spec["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
    for service in ("postgres", "redis"):
        assert services[service]["healthcheck"]["test"]
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    assert '"/opt/threec/scripts/airflow-entrypoint.sh"]' in dockerfile
    assert "--constraint constraints.txt" in dockerfile and "WORKDIR /opt/threec" in dockerfile


def test_compose_environment_is_the_one_the_tests_run_with(tmp_path):
    stack = Stack(tmp_path, tmp_path / "landing", "CeleryExecutor")
    services = load_compose()["services"]
    for service in AIRFLOW_SERVICES:
        composed = {k: str(v) for k, v in services[service]["environment"].items()}
        env = stack.environment(service)
        assert set(composed) <= set(env)
        changed = {k for k in composed if env[k] != stack_value(composed[k], stack)}
        # only what a container sees differently, each replaced on purpose
        assert changed <= HOST_REPLACED, changed - HOST_REPLACED
        assert set(env) - set(composed) - set(TEST_ONLY) <= {k for k in env if not k.startswith(("AIRFLOW", "THREEC_"))}
        # the task runners hold threec's keys; the others do not
        runs_tasks = service in ("airflow-init", "scheduler", "celery-worker")
        assert ("THREEC_PSEUDONYM_KEY" in composed) == runs_tasks, service
    # containers reach each other by service name on the ports the compose file publishes
    env = services["scheduler"]["environment"]
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == f"http://api-server:{env['AIRFLOW__API__PORT']}/execution/"
    assert "@postgres:5432/" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert "@redis:6379/" in env["AIRFLOW__CELERY__BROKER_URL"]
    assert env["AIRFLOW__CORE__AUTH_MANAGER"].endswith("FabAuthManager")


def stack_value(raw: str, stack: Stack) -> str:
    from stack import interpolate
    return interpolate(raw, stack.env_file)


def test_compose_volumes_give_each_service_what_it_reads_and_writes():
    services = load_compose()["services"]

    def mounts(service):
        # host part may hold ${VAR:-default}: read the container path and mode from the end
        found = [re.search(r":(/[^:]*)(?::(ro|rw))?$", v) for v in services[service].get("volumes", [])]
        return {m.group(1): [m.group(2)] if m.group(2) else [] for m in found}

    for service in ("airflow-init", "scheduler", "celery-worker"):
        m = mounts(service)
        assert m["/srv/threec/landing"] == ["ro"]  # the export's folder is only read
        for rw in ("/srv/threec/warehouse", "/srv/threec/output", "/srv/threec/returns", "/opt/airflow/logs"):
            assert m[rw] == [], (service, rw)
    assert mounts("triggerer")["/srv/threec/landing"] == ["ro"]
    assert "/srv/threec/warehouse" not in mounts("api-server")
    env = services["scheduler"]["environment"]
    assert env["THREEC_LANDING_DIR"] == "/srv/threec/landing"
    assert env["THREEC_WAREHOUSE"].startswith("/srv/threec/warehouse/")
    assert services["postgres"]["volumes"] == ["postgres-data:/var/lib/postgresql/data"]
    assert services["api-server"]["ports"] == ["127.0.0.1:${AIRFLOW_PORT:-8080}:8080"]


def test_every_secret_comes_from_the_env_file_without_a_working_default():
    variables = compose_variables()
    example = (REPO_ROOT / ".env.example").read_text()
    documented = dict(re.findall(r"^#?([A-Z][A-Z0-9_]*)=(.*)$", example, re.M))
    for name, (op, arg) in variables.items():
        assert name in documented, f"{name} is used in docker-compose.yml but not documented in .env.example"
        if re.search(r"PASSWORD|SECRET|_KEY$", name):
            assert op in (":?", ":-"), name
            assert op == ":?" or not arg, f"{name} has a default in docker-compose.yml"
            assert documented[name] == "", f".env.example gives {name} a value"
    for required in ("POSTGRES_PASSWORD", "AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET",
                     "AIRFLOW__API__SECRET_KEY", "AIRFLOW_ADMIN_PASSWORD", "THREEC_PSEUDONYM_KEY", "THREEC_VAULT_KEY"):
        assert variables[required][0] == ":?", required
    assert "env_file" not in COMPOSE_FILE.read_text()  # only the keys each service needs, by name


def test_the_entrypoint_refuses_missing_secrets_in_one_line_each(tmp_path):
    env = {"PATH": f"{REPO_ROOT / '.venv' / 'bin'}:/usr/bin:/bin", "THREEC_LANDING_DIR": str(tmp_path)}
    done = subprocess.run([str(ENTRYPOINT), "scheduler"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert lines and all(line.startswith("threec: error: ") for line in lines), done.stderr
    for name in ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__API_AUTH__JWT_SECRET",
                 "AIRFLOW__CORE__FERNET_KEY", "THREEC_PSEUDONYM_KEY"):
        assert any(name in line for line in lines), (name, lines)
    assert "Traceback" not in done.stderr


def test_deploy_checks_name_each_problem(tmp_path):
    from cryptography.fernet import Fernet
    good = {
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "postgresql+psycopg2://airflow:pw@postgres/airflow",
        "AIRFLOW__API_AUTH__JWT_SECRET": "j" * 40, "AIRFLOW__API__SECRET_KEY": "s" * 40,
        "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
        "THREEC_PSEUDONYM_KEY": TEST_KEY, "THREEC_VAULT_KEY": TEST_VAULT_KEY,
        "THREEC_LANDING_DIR": str(tmp_path / "landing"), "THREEC_WAREHOUSE": str(tmp_path / "w" / "t.duckdb"),
        "THREEC_OUTPUT_DIR": str(tmp_path / "out"), "THREEC_RETURNS_DIR": str(tmp_path / "ret"),
        "AIRFLOW_ADMIN_USERNAME": "admin", "AIRFLOW_ADMIN_PASSWORD": "a-long-enough-password",
    }
    (tmp_path / "landing").mkdir()
    assert problems("init", good) == []
    assert problems("api-server", {**good, "THREEC_PSEUDONYM_KEY": ""}) == []  # it runs no tasks
    assert problems("scheduler", {**good, "AIRFLOW__CORE__FERNET_KEY": "not-a-key"}) == [
        "AIRFLOW__CORE__FERNET_KEY is not a Fernet key (32 url-safe base64-encoded bytes)"]
    celery = problems("scheduler", {**good, "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor"})
    assert celery and "AIRFLOW__CELERY__BROKER_URL" in celery[0]
    demo = problems("scheduler", {**good, "THREEC_DEMO": "1"})
    assert demo and "THREEC_DEMO" in demo[0]
    assert any("SQLite" in p for p in problems("dag-processor", {**good, "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "sqlite:////x.db"}))
    assert any("AIRFLOW_ADMIN_PASSWORD is too short" in p for p in problems("init", {**good, "AIRFLOW_ADMIN_PASSWORD": "short"}))
