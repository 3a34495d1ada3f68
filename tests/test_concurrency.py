"""Two runs at once never corrupt the warehouse: the second stops at once with one line
saying who holds it ("already running (pid ..., started ...)"), and a lock whose holder
died never blocks anyone. (The DAG's own limit, max_active_runs=1, is pinned in
tests/test_dag.py.)"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import signal
import subprocess
import sys
import threading

import pytest

from threec.errors import AlreadyRunning
from threec.pipeline import ingest_step
from threec.warehouse import connect, lock_path, run_lock

from conftest import marts_snapshot
from helpers import settings_for

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("pipeline")]


def _threec_run(settings, as_of) -> subprocess.Popen:
    env = settings.child_env()
    env.pop("THREEC_DEMO", None)
    return subprocess.Popen([sys.executable, "-m", "threec.cli", "run", "--as-of", as_of.isoformat()], env=env,
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _ledger_duplicates(settings) -> int:
    con = connect(settings, read_only=True)
    try:
        return con.execute("select count(*) - count(distinct (extract_date, entity, sha256)) "
                           "from dq.file_ledger").fetchone()[0]
    finally:
        con.close()


def _assert_already_running(stderr: str, holder_pid: int | None = None) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    assert lines[0].startswith("threec: error: threec is already running (pid "), lines[0]
    assert ", started " in lines[0] and "wait for it to finish, then run again" in lines[0]
    if holder_pid is not None:
        assert f"(pid {holder_pid}, started " in lines[0]


def test_a_run_started_while_another_runs_exits_at_once_and_the_first_finishes(built_council, small_council,
                                                                                 tmp_path):
    reference, _ = built_council
    settings = small_council.settings_in(tmp_path)
    first = _threec_run(settings, small_council.last_extract)
    progress = []
    for line in first.stderr:  # progress lines go to stderr
        progress.append(line)
        if "rows:" in line:  # inside ingest: the first file is committed, the run holds the lock
            break
    second = _threec_run(settings, small_council.last_extract)
    out, err = second.communicate(timeout=300)
    assert second.returncode == 1
    _assert_already_running(err, first.pid)
    rest = first.stderr.read()
    assert first.wait(timeout=900) == 0, "".join(progress) + rest[-3000:]
    assert marts_snapshot(settings) == marts_snapshot(reference)
    assert _ledger_duplicates(settings) == 0


def test_two_runs_started_together_end_with_one_warehouse_as_a_single_run_would(built_council, small_council,
                                                                                 tmp_path):
    """Whoever wins the lock runs; the other either stops with the one-line message or,
    if it starts after the winner finished, finds nothing new. Either way the warehouse
    is the one a single run makes."""
    reference, _ = built_council
    settings = small_council.settings_in(tmp_path)
    runs = [_threec_run(settings, small_council.last_extract) for _ in range(2)]
    results = [(p.wait(timeout=900), p.stdout.read(), p.stderr.read()) for p in runs]
    assert sum(code == 0 for code, _, _ in results) >= 1, results
    for code, _out, err in results:
        if code != 0:
            assert code == 1
            _assert_already_running(err)
    assert marts_snapshot(settings) == marts_snapshot(reference)
    assert _ledger_duplicates(settings) == 0


HOLD_LOCK = """
import sys, time
sys.path.insert(0, {tests!r})
from helpers import settings_for
from threec.warehouse import run_lock
from pathlib import Path
with run_lock(settings_for(Path({tmp!r}))):
    print("holding", flush=True)
    time.sleep(600)
"""


def test_a_lock_whose_holder_was_killed_never_blocks(tmp_path):
    settings = settings_for(tmp_path)
    tests = os.path.dirname(__file__)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK.format(tests=tests, tmp=str(tmp_path))],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(AlreadyRunning) as refused:
            ingest_step(settings, dt.date(2025, 3, 31), "blocked")
        assert f"(pid {holder.pid}, started " in str(refused.value)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=60)
    assert f"pid {holder.pid}" in lock_path(settings).read_text(), "the dead holder's note is still in the file"
    with run_lock(settings):  # ... yet the kernel released its lock when it died
        assert f"pid {os.getpid()}" in lock_path(settings).read_text()


def test_the_lock_is_reentrant_within_a_run_and_refused_to_another_thread(tmp_path):
    settings = settings_for(tmp_path)
    refused: list[BaseException] = []

    def other_thread() -> None:
        try:
            with run_lock(settings):
                pass
        except AlreadyRunning as exc:
            refused.append(exc)

    with run_lock(settings):
        with run_lock(settings):  # a step inside the run takes it again
            worker = threading.Thread(target=other_thread)
            worker.start()
            worker.join()
        assert f"pid {os.getpid()}" in lock_path(settings).read_text()
    assert len(refused) == 1 and f"pid {os.getpid()}" in str(refused[0])
    worker = threading.Thread(target=other_thread)
    worker.start()  # released after the outermost exit: the other thread now gets it
    worker.join()
    assert len(refused) == 1


def _hold_without_note(settings) -> int:
    """The lock held the way a winner holds it in the instant before it writes its note."""
    path = lock_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.ftruncate(fd, 0)
    return fd


def test_a_run_racing_a_holder_that_has_not_yet_written_its_note_still_names_it(tmp_path):
    settings = settings_for(tmp_path)
    fd = _hold_without_note(settings)
    note = threading.Timer(0.3, os.pwrite, (fd, b"pid 4242, started 2025-03-31 06:00:02 UTC", 0))
    note.start()
    try:
        with pytest.raises(AlreadyRunning) as refused:
            with run_lock(settings):
                pass
    finally:
        note.join()
        os.close(fd)
    _assert_already_running(f"threec: error: {refused.value}\n", 4242)


def test_a_run_racing_a_holder_that_is_letting_go_takes_the_lock(tmp_path):
    """The holder clears its note just before its lock is released: the racer gets the lock
    instead of a message naming nobody."""
    settings = settings_for(tmp_path)
    fd = _hold_without_note(settings)
    release = threading.Timer(0.3, os.close, (fd,))
    release.start()
    try:
        with run_lock(settings):
            assert f"pid {os.getpid()}, started " in lock_path(settings).read_text()
    finally:
        release.join()
    assert lock_path(settings).read_text() == "", "a run that ended cleanly leaves no note"
