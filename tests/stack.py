"""The production stack of docker-compose.yml as real processes on this machine.

This machine has no container engine, so each Airflow service of the compose file is
started as a process, from the same entrypoint script, with the command and environment
the compose file gives it. Only what a container would see differently is replaced
(HOST_REPLACED): container paths become temporary folders, service host names become
127.0.0.1 with free ports, and the metadata database is a fresh PostgreSQL database.
TEST_ONLY lists the few settings the tests add, each with its reason."""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from threec.config import REPO_ROOT

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
ENTRYPOINT = REPO_ROOT / "scripts" / "airflow-entrypoint.sh"
VENV_BIN = Path(os.environ.get("VIRTUAL_ENV", REPO_ROOT / ".venv")) / "bin"
PG_ADMIN = dict(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
REDIS_URL = "redis://127.0.0.1:6379"
# Started in this order; init runs to completion first.
AIRFLOW_SERVICES = ("airflow-init", "api-server", "scheduler", "dag-processor", "triggerer", "celery-worker")

# Values a container would see differently from these processes.
HOST_REPLACED = {
    "AIRFLOW_HOME", "AIRFLOW__CORE__DAGS_FOLDER", "AIRFLOW__LOGGING__BASE_LOG_FOLDER",
    "THREEC_LANDING_DIR", "THREEC_WAREHOUSE", "THREEC_OUTPUT_DIR", "THREEC_RETURNS_DIR",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
    "AIRFLOW__API__PORT", "AIRFLOW__API__BASE_URL", "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT",
    "AIRFLOW__CELERY__BROKER_URL",
}
TEST_ONLY = {
    # the scheduler must not add today's scheduled run beside the runs a test triggers
    # (one active run at a time would queue the test's run behind it)
    "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
    # a container listens on all its interfaces; a test process only on loopback
    "AIRFLOW__API__HOST": "127.0.0.1",
    # each container has its own log-server ports; processes on one machine need free ones
    "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": None,
    "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": None,
    # the machine's Redis may be shared: this stack's tasks go to a queue of its own
    "AIRFLOW__OPERATORS__DEFAULT_QUEUE": None,
}

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


class Interpolation(Exception):
    pass


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error} and $$."""
    def one(m: re.Match) -> str:
        name, op, arg = m.group(1), m.group(2), m.group(3) or ""
        value = env.get(name)
        if op in (":-", ":?") and value == "":
            value = None
        if value is not None:
            return value
        if op and op.endswith("?"):
            raise Interpolation(f"required variable {name} is missing a value: {arg}")
        return arg if op else ""
    return _VAR.sub(one, text.replace("$$", "\0")).replace("\0", "$")


def compose_variables() -> dict[str, tuple[str | None, str | None]]:
    """Every variable the compose file interpolates: name -> (operator, argument)."""
    return {m.group(1): (m.group(2), m.group(3)) for m in _VAR.finditer(COMPOSE_FILE.read_text())}


def load_compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def service_environment(service: str, env_file: dict[str, str]) -> dict[str, str]:
    """A service's environment as compose would give it, interpolated from ``env_file``."""
    spec = load_compose()["services"][service]
    return {k: interpolate(str(v), env_file) for k, v in (spec.get("environment") or {}).items()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_postgres() -> None:
    import psycopg2
    try:
        psycopg2.connect(**PG_ADMIN, connect_timeout=3).close()
        return
    except psycopg2.OperationalError:
        pass
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=True)
    for _ in range(60):
        try:
            psycopg2.connect(**PG_ADMIN, connect_timeout=3).close()
            return
        except psycopg2.OperationalError:
            time.sleep(0.5)
    raise RuntimeError("PostgreSQL on 127.0.0.1:5432 did not start")


def ensure_redis() -> None:
    import redis
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping()
        return
    except redis.ConnectionError:
        pass
    Path("/var/log/redis").mkdir(parents=True, exist_ok=True)
    Path("/var/lib/redis").mkdir(parents=True, exist_ok=True)
    subprocess.run(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379",
                    "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
                    "--logfile", "/var/log/redis/ci.log"], check=True)
    for _ in range(60):
        try:
            redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping()
            return
        except redis.ConnectionError:
            time.sleep(0.5)
    raise RuntimeError("Redis on 127.0.0.1:6379 did not start")


@dataclass
class Stack:
    root: Path  # temporary folder: the stack's AIRFLOW_HOME, data folders and logs
    landing: Path
    executor: str = "LocalExecutor"
    env_file: dict[str, str] = field(default_factory=dict)  # what .env would hold
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    database: str = ""
    queue: str = ""
    ports: dict[str, int] = field(default_factory=dict)
    _token: str | None = None

    def __post_init__(self) -> None:
        from cryptography.fernet import Fernet

        from helpers import TEST_KEY, TEST_VAULT_KEY
        self.database = f"threec_test_{uuid.uuid4().hex[:12]}"
        self.queue = f"threec-test-{uuid.uuid4().hex[:8]}"
        self.ports = {name: free_port() for name in ("api", "scheduler_health", "worker_logs", "trigger_logs")}
        # a fresh .env, as an operator would fill it in from .env.example
        self.env_file = {
            "POSTGRES_PASSWORD": secrets.token_urlsafe(24),
            "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(48),
            "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(48),
            "AIRFLOW_ADMIN_USERNAME": "admin",
            # leading "-": a generated password can start with one, and once broke init
            "AIRFLOW_ADMIN_PASSWORD": "-" + secrets.token_urlsafe(18),
            "THREEC_PSEUDONYM_KEY": TEST_KEY,
            "THREEC_VAULT_KEY": TEST_VAULT_KEY,
            "AIRFLOW__CORE__EXECUTOR": self.executor,
            "REDIS_PASSWORD": secrets.token_urlsafe(24) if self.executor == "CeleryExecutor" else "",
        }
        for folder in ("airflow", "logs", "warehouse", "output", "returns", "process-logs"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)

    # --- the environment each process gets --------------------------------------------
    def host_values(self) -> dict[str, str]:
        api = f"http://127.0.0.1:{self.ports['api']}"
        return {
            "AIRFLOW_HOME": str(self.root / "airflow"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(self.root / "logs"),
            "THREEC_LANDING_DIR": str(self.landing),
            "THREEC_WAREHOUSE": str(self.root / "warehouse" / "threec.duckdb"),
            "THREEC_OUTPUT_DIR": str(self.root / "output"),
            "THREEC_RETURNS_DIR": str(self.root / "returns"),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://postgres@127.0.0.1:5432/{self.database}",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api}/execution/",
            "AIRFLOW__API__PORT": str(self.ports["api"]),
            "AIRFLOW__API__BASE_URL": api,
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(self.ports["scheduler_health"]),
            # the machine's Redis has no password; a database number of its own keeps it apart
            "AIRFLOW__CELERY__BROKER_URL": f"{REDIS_URL}/{int(self.database[-2:], 16) % 14 + 1}",
        }

    def test_only_values(self) -> dict[str, str]:
        values = dict(TEST_ONLY)
        values["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"] = str(self.ports["worker_logs"])
        values["AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT"] = str(self.ports["trigger_logs"])
        values["AIRFLOW__OPERATORS__DEFAULT_QUEUE"] = self.queue
        return values

    def environment(self, service: str) -> dict[str, str]:
        composed = service_environment(service, self.env_file)
        host = self.host_values()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "THREEC_"))}
        env["PATH"] = f"{VENV_BIN}:{env.get('PATH', '/usr/bin:/bin')}"
        env.update(composed)
        env.update({k: v for k, v in host.items() if k in composed})
        env.update(self.test_only_values())
        return env

    def command(self, service: str) -> list[str]:
        return [str(ENTRYPOINT), *load_compose()["services"][service]["command"]]

    # --- life cycle --------------------------------------------------------------------
    def services(self) -> list[str]:
        wanted = {"celery-worker"} if self.executor == "CeleryExecutor" else set()
        compose = load_compose()["services"]
        return [s for s in AIRFLOW_SERVICES if s in compose
                and (not compose[s].get("profiles") or s in wanted)]

    def create_database(self) -> None:
        import psycopg2
        ensure_postgres()
        con = psycopg2.connect(**PG_ADMIN)
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute(f'create database "{self.database}"')
        con.close()

    def drop_database(self) -> None:
        import psycopg2
        con = psycopg2.connect(**PG_ADMIN)
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute(f'drop database if exists "{self.database}" with (force)')
        con.close()

    def start(self) -> None:
        self.create_database()
        if self.executor == "CeleryExecutor":
            ensure_redis()
        for service in self.services():
            log = (self.root / "process-logs" / f"{service}.log").open("wb")
            proc = subprocess.Popen(self.command(service), env=self.environment(service), cwd=self.root,
                                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            self.processes[service] = proc
            if service == "airflow-init":
                if proc.wait(timeout=600) != 0:
                    raise RuntimeError(f"airflow-init failed:\n{self.log_tail(service)}")
        for service in self.processes:
            if service != "airflow-init":
                self.wait_healthy(service)

    def health(self, service: str) -> bool:
        """The compose file's own health check for ``service``."""
        test = load_compose()["services"][service]["healthcheck"]["test"]
        assert test[0] == "CMD" and test[1].endswith("scripts/airflow-entrypoint.sh"), test
        done = subprocess.run([str(ENTRYPOINT), *test[2:]], env=self.environment(service), cwd=self.root,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
        return done.returncode == 0

    def wait_healthy(self, service: str, patience: float = 300) -> None:
        give_up = time.monotonic() + patience  # a guard against hanging, not a performance bound
        while not self.health(service):
            if self.processes[service].poll() is not None:
                raise RuntimeError(f"{service} exited ({self.processes[service].returncode}):\n"
                                   f"{self.log_tail(service)}")
            if time.monotonic() > give_up:
                raise RuntimeError(f"{service} is not healthy:\n{self.log_tail(service)}")
            time.sleep(2)

    def stop(self) -> None:
        for service, proc in reversed(list(self.processes.items())):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for service, proc in self.processes.items():
            try:
                proc.wait(timeout=45)
            except subprocess.TimeoutExpired:
                pass
            # whatever the component forked (task runners, Celery children) is in its group
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
        if self.executor == "CeleryExecutor":
            import redis
            broker = redis.Redis.from_url(self.host_values()["AIRFLOW__CELERY__BROKER_URL"])
            # this stack's queue, and kombu's routing tables in the database number it used
            for pattern in (f"*{self.queue}*", "_kombu.binding*"):
                for key in broker.scan_iter(match=pattern):
                    broker.delete(key)
        self.drop_database()

    def log_tail(self, service: str, lines: int = 40) -> str:
        path = self.root / "process-logs" / f"{service}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def all_logs(self) -> str:
        return "\n".join(f"--- {s} ---\n{self.log_tail(s)}" for s in self.processes)

    # --- the REST API, authenticated as the admin user ---------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports['api']}"

    def token(self) -> str:
        import requests
        if self._token is None:
            r = requests.post(f"{self.url}/auth/token", timeout=60, json={
                "username": self.env_file["AIRFLOW_ADMIN_USERNAME"],
                "password": self.env_file["AIRFLOW_ADMIN_PASSWORD"]})
            assert r.status_code in (200, 201), (r.status_code, r.text)
            self._token = r.json()["access_token"]
        return self._token

    def api(self, method: str, path: str, expect: tuple[int, ...] = (200,), **kwargs) -> Any:
        import requests
        r = requests.request(method, f"{self.url}/api/v2{path}", timeout=60,
                             headers={"Authorization": f"Bearer {self.token()}"}, **kwargs)
        assert r.status_code in expect, (method, path, r.status_code, r.text[:2000])
        return r.json() if r.content else None

    def wait_for_dag(self, dag_id: str, patience: float = 300) -> None:
        import requests
        give_up = time.monotonic() + patience
        while True:
            r = requests.get(f"{self.url}/api/v2/dags/{dag_id}", timeout=60,
                             headers={"Authorization": f"Bearer {self.token()}"})
            if r.status_code == 200:
                return
            if time.monotonic() > give_up:
                raise RuntimeError(f"{dag_id} was never parsed:\n{self.all_logs()}")
            time.sleep(2)

    def wait_for_run(self, dag_id: str, run_id: str, patience: float = 1200) -> dict:
        give_up = time.monotonic() + patience
        while True:
            run = self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}")
            if run["state"] in ("success", "failed"):
                return run
            if time.monotonic() > give_up:
                raise RuntimeError(f"{dag_id} {run_id} still {run['state']}:\n{self.all_logs()}")
            time.sleep(2)

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str]:
        tis = self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances")["task_instances"]
        return {ti["task_id"]: ti["state"] for ti in tis}

