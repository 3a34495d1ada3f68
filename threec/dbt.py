"""Run the dbt project: one `dbt build` per run, so one process holds the warehouse."""

from __future__ import annotations

import datetime as dt
import json
import logging
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from threec.config import DBT_PROJECT_DIR, Settings
from threec.errors import BuildError

log = logging.getLogger("threec.dbt")


def _die_with_parent() -> None:
    """Linux: a dbt child must not outlive a killed threec run, or it would keep
    writing the warehouse while the rerun starts."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def dbt_executable() -> str:
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def target_path(settings: Settings, target: str | None = None) -> Path:
    """dbt's target folder. Each profile target gets its own, so that building one does not
    throw away the other's partial-parse state (a change of target forces a full parse)."""
    return settings.state_dir / ("dbt_target" if target is None else f"dbt_target_{target}")


def dbt_command(settings: Settings, command: str, *extra: str, target: str | None = None) -> list[str]:
    """`target` names an output of profiles.yml (`postgres`); None = its default, DuckDB."""
    # The as-of date goes by environment (run_dbt), not --vars: changed vars make dbt parse
    # the whole project again (about 4 s a run), a changed env var only the files using it.
    vars_ = dict(settings.var_overrides)
    state = settings.state_dir
    return [dbt_executable(), command,
            "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(target_path(settings, target)), "--log-path", str(state / "dbt_logs"),
            *(["--target", target] if target else []),
            "--vars", json.dumps(vars_), *extra]


def run_results(settings: Settings, target: str | None = None) -> list[dict]:
    """The node results of the last dbt invocation for `target` (its run_results.json)."""
    return json.loads((target_path(settings, target) / "run_results.json").read_text())["results"]


def node_statuses(settings: Settings, target: str | None = None) -> dict[str, str]:
    """Each node of the last dbt invocation for `target` with its status (success, pass, ...)."""
    return {r["unique_id"]: r["status"] for r in run_results(settings, target)}


def _failures(settings: Settings, target: str | None) -> list[str]:
    try:
        results = run_results(settings, target)
    except (OSError, ValueError, KeyError):
        return []
    return [f"{r['unique_id']}: {r['status']}: {(r.get('message') or '').strip()[:300]}"
            for r in results if r.get("status") in ("error", "fail")]


def run_dbt(settings: Settings, command: str, as_of: dt.date | None, *extra: str, progress=log.info,
            target: str | None = None, window: Mapping[str, str] | None = None) -> None:
    """`window`: the incremental build's environment (threec.incremental.BuildPlan.env);
    without it no window reaches dbt, so an incremental model rebuilds all its rows."""
    cmd = dbt_command(settings, command, *extra, target=target)
    env = settings.child_env()
    env["THREEC_AS_OF_DATE"] = as_of.isoformat() if as_of is not None else ""
    env.update({"THREEC_CHANGES_SINCE_AS_OF": "", "THREEC_CHANGES_SINCE_DELIVERY": ""})
    env.update(window or {})
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    env["DO_NOT_TRACK"] = "1"
    env["DBT_USE_COLORS"] = "false"
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                            cwd=str(DBT_PROJECT_DIR), preexec_fn=_die_with_parent)
    assert proc.stdout is not None
    tail: list[str] = []
    for line in proc.stdout:
        line = line.rstrip()
        tail = (tail + [line])[-30:]
        if " OK " in line or "ERROR" in line or "FAIL" in line or "WARN" in line or "Completed" in line \
                or "Done." in line or "Finished" in line:
            progress(f"dbt: {line.split('  ', 1)[-1].strip()}")
    if proc.wait() != 0:
        failures = _failures(settings, target)
        detail = "\n  ".join(failures) if failures else "\n  ".join(tail[-12:])
        raise BuildError(f"dbt {command} failed (exit {proc.returncode}):\n  {detail}")
