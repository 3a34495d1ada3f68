"""The DuckDB warehouse: connection, the raw and dq tables ingest owns, and the run lock."""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from pathlib import Path
from typing import Iterator

import duckdb

from threec.config import Settings
from threec.contract import Contract, load_contract
from threec.errors import AlreadyRunning
from threec.validation import q

DQ_TABLES = {
    "file_ledger": """
        delivery_id BIGINT PRIMARY KEY, extract_date DATE NOT NULL, entity VARCHAR NOT NULL,
        file VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, manifest_sha256 VARCHAR, size_bytes BIGINT, mtime_ns BIGINT,
        status VARCHAR NOT NULL, rows_delivered BIGINT, rows_loaded BIGINT, rows_quarantined BIGINT,
        loaded_at TIMESTAMP NOT NULL, run_id VARCHAR, ctime_ns BIGINT""",
    "quarantine": """
        delivery_id BIGINT, extract_date DATE, entity VARCHAR, file VARCHAR, row_number BIGINT,
        record_id VARCHAR, "column" VARCHAR, rule VARCHAR, reason VARCHAR""",
    "rejected_files": """
        delivery_id BIGINT, extract_date DATE, entity VARCHAR, file VARCHAR, sha256 VARCHAR,
        reason VARCHAR, rejected_at TIMESTAMP""",
    "ingest_notes": """
        delivery_id BIGINT, extract_date DATE, entity VARCHAR, file VARCHAR, row_number BIGINT,
        "column" VARCHAR, note VARCHAR, noted_at TIMESTAMP""",
    "runs": """
        run_id VARCHAR PRIMARY KEY, as_of_date DATE, started_at TIMESTAMP, finished_at TIMESTAMP,
        status VARCHAR, message VARCHAR""",
    # threec.incremental: what the last dbt build was made from
    "build_state": """
        target VARCHAR PRIMARY KEY, as_of_date DATE, last_delivery_id BIGINT, fingerprint VARCHAR,
        status VARCHAR NOT NULL, updated_at TIMESTAMP NOT NULL""",
}


# Ledger inserts name their columns: older warehouses gained ctime_ns at the end.
LEDGER_COLUMNS = ("delivery_id, extract_date, entity, file, sha256, manifest_sha256, size_bytes, mtime_ns, ctime_ns, "
                  "status, rows_delivered, rows_loaded, rows_quarantined, loaded_at, run_id")


def connect(settings: Settings, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(settings.warehouse), read_only=read_only)
    con.execute("set TimeZone = 'UTC'")
    if settings.duckdb_memory_limit:
        con.execute(f"set memory_limit = '{settings.duckdb_memory_limit}'")
    if settings.duckdb_threads:
        con.execute(f"set threads = {int(settings.duckdb_threads)}")
    return con


def raw_table_ddl(entity_name: str, contract: Contract | None = None) -> str:
    contract = contract or load_contract()
    entity = contract.entities[entity_name]
    cols = [f"{q(c.warehouse_name)} {c.warehouse_type}" for c in (*entity.columns, *contract.load_columns)]
    return f"create table if not exists raw.{q(entity_name)} ({', '.join(cols)})"


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    contract = load_contract()
    con.execute("create schema if not exists raw")
    con.execute("create schema if not exists dq")
    for name in contract.entities:
        con.execute(raw_table_ddl(name, contract))
    for name, cols in DQ_TABLES.items():
        con.execute(f"create table if not exists dq.{name} ({cols})")
    # Warehouses made before the ledger kept change times gain the column (null: such a
    # file is hashed once more, then remembered with its change time).
    con.execute("alter table dq.file_ledger add column if not exists ctime_ns BIGINT")
    con.execute("create sequence if not exists dq.delivery_seq start 1")


def lock_path(settings: Settings) -> Path:
    return Path(str(settings.warehouse) + ".lock")


# The locks this thread holds, with their depth. A whole `threec run` holds the lock from
# start to end and each step inside it takes it again, so it is re-entrant per thread
# (another thread, like another process, opens its own descriptor and is refused).
_held = threading.local()


# How long a refused run waits for the holder's note. The winner writes it just after it
# takes the lock and clears it just before letting go, so a run racing either moment finds
# the file empty.
_NOTE_WAIT_S = 2.0


@contextlib.contextmanager
def run_lock(settings: Settings) -> Iterator[None]:
    """One threec process writes a warehouse at a time; another that tries meanwhile
    stops at once with AlreadyRunning naming the holder (pid and start time).

    The lock is flock(2) on ``<warehouse>.lock``. The kernel drops it when the holder's
    last descriptor closes, which happens however the process ends (SIGKILL, OOM kill;
    a power cut ends every process), and the descriptor is not inherited by child
    processes (dbt), so a dead run can never leave it held: no stale-lock detection is
    needed. The pid written in the file is for the message only, never trusted."""
    path = lock_path(settings)
    depth: dict[Path, int] = _held.__dict__.setdefault("depth", {})
    if depth.get(path):
        depth[path] += 1
        try:
            yield
        finally:
            depth[path] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        _take_or_refuse(fd, settings)
        os.ftruncate(fd, 0)
        started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
        os.pwrite(fd, f"pid {os.getpid()}, started {started}".encode(), 0)
        depth[path] = 1
        try:
            yield
        finally:
            depth.pop(path, None)
            # Cleared while still held, so a note in the file is a live holder's or a killed one's.
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)


def _take_or_refuse(fd: int, settings: Settings) -> None:
    """Take the lock, or raise AlreadyRunning with the holder's note. A holder that has
    only just started (its note not yet written) or just finished (note cleared, lock
    about to be free) is waited for briefly rather than reported as unknown."""
    deadline = time.monotonic() + _NOTE_WAIT_S
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        holder = os.pread(fd, 200, 0).decode(errors="replace").strip()
        if holder or time.monotonic() >= deadline:
            raise AlreadyRunning(
                f"threec is already running ({holder or 'pid unknown, just started'}) on {settings.warehouse}; "
                "wait for it to finish, then run again.") from None
        time.sleep(0.01)
