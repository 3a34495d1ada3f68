"""Run threec's DAGs through Airflow itself from the shell (the demo, the tests):
a local Airflow home with its own metadata database, then `airflow dags test`."""

from __future__ import annotations

import datetime as dt
import logging
import re
import subprocess
import sys
from pathlib import Path

from threec.config import REPO_ROOT, Settings
from threec.errors import ThreecError

log = logging.getLogger("threec.airflow")


def airflow_env(settings: Settings, airflow_home: Path | None = None) -> dict[str, str]:
    home = airflow_home or settings.state_dir.parent / "airflow"
    home.mkdir(parents=True, exist_ok=True)
    env = settings.child_env()
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN")
        or f"sqlite:///{home / 'airflow.db'}",
    })
    return env


_TASK = re.compile(r"\[DAG TEST\] (running|end) task.*?(?:task_id=|threec_daily\.)(\w+)")
_OURS = re.compile(r"\[info\s*\]\s+(.*?)\s+\[threec[.\w]*\]")


def _airflow(env: dict[str, str], *args: str, progress=log.info) -> str:
    """Run an airflow command, passing its task starts and threec's own log lines on as progress."""
    exe = Path(sys.executable).parent / "airflow"
    proc = subprocess.Popen([str(exe if exe.exists() else "airflow"), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if m := _TASK.search(line):
            progress(f"airflow: task {m.group(2)} {'started' if m.group(1) == 'running' else 'finished'}")
        elif m := _OURS.search(line):
            progress(f"  {m.group(1)}")
    if proc.wait() != 0:
        tail = "\n  ".join("".join(lines).strip().splitlines()[-25:])
        raise ThreecError(f"airflow {' '.join(args)} failed (exit {proc.returncode}):\n  {tail}")
    return "".join(lines)


def dags_test(settings: Settings, dag_id: str, logical_date: dt.date, progress=log.info) -> str:
    env = airflow_env(settings)
    progress(f"airflow: migrating the metadata database in {env['AIRFLOW_HOME']}")
    _airflow(env, "db", "migrate")
    progress(f"airflow: dags test {dag_id} {logical_date}")
    out = _airflow(env, "dags", "test", dag_id, logical_date.isoformat())
    if "state=success" not in out.replace(" ", "").lower():
        raise ThreecError(f"airflow dags test {dag_id} did not report success:\n" + out[-3000:])
    return out
