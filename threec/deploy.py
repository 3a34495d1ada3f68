"""Checks the production stack's settings before an Airflow component starts, so a missing
secret or an unwritable volume is one clear line in `docker compose logs`, not a traceback
from deep inside Airflow. Run by scripts/airflow-entrypoint.sh: `python -m threec.deploy check <component>`."""

from __future__ import annotations

import os
import sys
from typing import Mapping
from urllib.parse import urlsplit

COMPONENTS = ("init", "api-server", "scheduler", "dag-processor", "triggerer", "celery-worker")
# Components that run threec's tasks (LocalExecutor runs them inside the scheduler).
TASK_RUNNERS = {"init", "scheduler", "celery-worker"}
MIN_SECRET = 32
MIN_ADMIN_PASSWORD = 12


def problems(component: str, env: Mapping[str, str]) -> list[str]:
    """Everything wrong with the environment for ``component``, one sentence each."""
    if component not in COMPONENTS:
        return [f"unknown component {component!r}: use one of {', '.join(COMPONENTS)}"]
    out: list[str] = []

    def secret(name: str, what: str, minimum: int = MIN_SECRET) -> None:
        value = env.get(name, "")
        if not value:
            out.append(f"{name} is not set: {what} (see .env.example)")
        elif len(value) < minimum:
            out.append(f"{name} is too short: use at least {minimum} random characters")

    conn = env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "")
    if not conn.startswith("postgresql"):
        out.append("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN must name the PostgreSQL metadata database "
                   "(postgresql+psycopg2://...); SQLite is for the demo only")
    secret("AIRFLOW__API_AUTH__JWT_SECRET", "it signs the tokens every Airflow component trusts")
    secret("AIRFLOW__API__SECRET_KEY", "it signs the web sessions of the Airflow UI")
    fernet = env.get("AIRFLOW__CORE__FERNET_KEY", "")
    if not fernet:
        out.append("AIRFLOW__CORE__FERNET_KEY is not set: it encrypts connection passwords in the metadata "
                   "database (see .env.example for how to make one)")
    else:
        from cryptography.fernet import Fernet
        try:
            Fernet(fernet.encode())
        except ValueError:
            out.append("AIRFLOW__CORE__FERNET_KEY is not a Fernet key (32 url-safe base64-encoded bytes)")
    executor = env.get("AIRFLOW__CORE__EXECUTOR", "LocalExecutor")
    if executor not in ("LocalExecutor", "CeleryExecutor"):
        out.append(f"AIRFLOW__CORE__EXECUTOR is {executor!r}: threec's stack runs LocalExecutor or CeleryExecutor")
    if executor == "CeleryExecutor" or component == "celery-worker":
        broker = env.get("AIRFLOW__CELERY__BROKER_URL", "")
        if not broker.startswith(("redis://", "rediss://")):
            out.append("AIRFLOW__CELERY__BROKER_URL must name the Redis broker (redis://...) for CeleryExecutor")
    if component == "init":
        if not env.get("AIRFLOW_ADMIN_USERNAME"):
            out.append("AIRFLOW_ADMIN_USERNAME is not set: the init service creates this Airflow admin user")
        secret("AIRFLOW_ADMIN_PASSWORD", "the Airflow admin user's password", MIN_ADMIN_PASSWORD)
    if component in TASK_RUNNERS:
        from threec.config import load_settings
        from threec.errors import ThreecError
        try:
            settings = load_settings({k: v for k, v in env.items() if k.startswith("THREEC_")})
        except ThreecError as exc:
            out.append(str(exc))
        else:
            if settings.demo:
                out.append("THREEC_DEMO is on: the demo keys must never protect a council's data; unset it")
            out += _folder_problems(settings)
    return out


def _folder_problems(settings) -> list[str]:
    out = []
    if not settings.landing_dir.is_dir() or not os.access(settings.landing_dir, os.R_OK | os.X_OK):
        out.append(f"THREEC_LANDING_DIR {settings.landing_dir} is not a readable folder (mount the landing volume)")
    for name, folder in (("THREEC_WAREHOUSE", settings.warehouse.parent), ("THREEC_OUTPUT_DIR", settings.output_dir),
                         ("THREEC_RETURNS_DIR", settings.returns_dir)):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass
        if not os.access(folder, os.W_OK | os.X_OK):
            out.append(f"{name}: {folder} is not writable by uid {os.getuid()} (chown the volume; "
                       "docs/deployment.md)")
    return out


def redacted(url: str) -> str:
    """A connection URL without its password, for log lines."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] != "check":
        print("usage: python -m threec.deploy check <component>", file=sys.stderr)
        return 2
    found = problems(args[1], os.environ)
    for line in found:
        print(f"threec: error: {line}", file=sys.stderr)
    if not found:
        conn = os.environ.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "")
        print(f"threec: {args[1]}: settings checked (metadata database {redacted(conn)}, "
              f"executor {os.environ.get('AIRFLOW__CORE__EXECUTOR', 'LocalExecutor')})", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
