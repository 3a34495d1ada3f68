"""Whether the daily dbt build may be incremental, and from where (docs/architecture.md,
"Incremental daily builds").

After every successful build dq.build_state records the as-of date it built for, the
last delivery raw held and a fingerprint of everything that shapes the tables (the dbt
project's models, macros, seeds and settings, and the vars). The next build recomputes
only what changed since then (the dbt macros in macros/incremental.sql read the window
from the environment) unless something makes the recorded tables untrustworthy; then
it rebuilds every table (`dbt build --full-refresh`) and says why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

import duckdb

from threec import __version__
from threec.config import DBT_PROJECT_DIR, Settings

# What decides the tables' contents; target/, logs and the data tests do not.
FINGERPRINTED = ("dbt_project.yml", "models", "macros", "seeds")
TARGET = "duckdb"


@dataclass(frozen=True)
class BuildPlan:
    full_refresh: bool
    reason: str
    since_as_of: dt.date | None = None
    since_delivery: int | None = None
    # of the project the build runs, taken before it starts: recorded once it has succeeded
    fingerprint: str = field(default="", compare=False)

    def dbt_args(self) -> tuple[str, ...]:
        return ("--full-refresh",) if self.full_refresh else ()

    def env(self) -> dict[str, str]:
        if self.full_refresh:
            return {"THREEC_CHANGES_SINCE_AS_OF": "", "THREEC_CHANGES_SINCE_DELIVERY": ""}
        return {"THREEC_CHANGES_SINCE_AS_OF": self.since_as_of.isoformat(),
                "THREEC_CHANGES_SINCE_DELIVERY": str(self.since_delivery)}

    def describe(self) -> str:
        if self.full_refresh:
            return f"full rebuild: {self.reason}"
        return (f"incremental: what changed since the build for {self.since_as_of} "
                f"(deliveries after {self.since_delivery})")


def fingerprint(settings: Settings) -> str:
    digest = hashlib.sha256()
    digest.update(f"threec {__version__}\n".encode())
    digest.update(json.dumps(settings.var_overrides, sort_keys=True, default=str).encode())
    for name in FINGERPRINTED:
        root = DBT_PROJECT_DIR / name
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in files:
            if path.is_file():
                digest.update(f"\n{path.relative_to(DBT_PROJECT_DIR)}\n".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def last_delivery(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select coalesce(max(delivery_id), 0) from dq.file_ledger").fetchone()[0]


def plan_build(con: duckdb.DuckDBPyConnection, settings: Settings, as_of: dt.date,
               full_refresh: bool = False) -> BuildPlan:
    current = fingerprint(settings)
    if full_refresh:
        return BuildPlan(True, "asked for (--full-refresh)", fingerprint=current)
    row = con.execute("select as_of_date, last_delivery_id, fingerprint, status from dq.build_state "
                      "where target = ?", [TARGET]).fetchone()
    if row is None:
        return BuildPlan(True, "no earlier build is recorded in this warehouse", fingerprint=current)
    built_as_of, built_delivery, built_fingerprint, status = row
    if status == "built outside threec":
        reason = "dbt built incremental models outside threec since its last build (dq.build_state)"
    elif status != "built":
        reason = "the last build did not finish, so its tables may be half updated"
    elif built_fingerprint != current:
        reason = "the dbt project or its settings changed since the last build"
    elif as_of < built_as_of:
        reason = f"the as-of date {as_of} is before the last build's ({built_as_of})"
    elif last_delivery(con) < built_delivery:
        reason = "raw holds fewer deliveries than at the last build"
    else:
        return BuildPlan(False, "", built_as_of, built_delivery, current)
    return BuildPlan(True, reason, fingerprint=current)


def mark_building(con: duckdb.DuckDBPyConnection) -> None:
    """Before dbt starts: a build that dies half way leaves this, and the next one is full."""
    con.execute("""insert or replace into dq.build_state
                   values (?, null, null, null, 'building', now())""", [TARGET])


def mark_built(con: duckdb.DuckDBPyConnection, plan: BuildPlan, as_of: dt.date, delivery: int) -> None:
    con.execute("insert or replace into dq.build_state values (?, ?, ?, ?, 'built', now())",
                [TARGET, as_of, delivery, plan.fingerprint])
