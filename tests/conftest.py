from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

# Airflow reads its home at import: keep tests away from ~/airflow and the examples.
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="threec-airflow-"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")

from threec.dbt import target_path  # noqa: E402
from threec.ingest import ingest  # noqa: E402
from threec.warehouse import connect, ensure_schema  # noqa: E402

from helpers import settings_for  # noqa: E402

# built_council's daily dbt build results, copied beside its warehouse
DAILY_RUN_RESULTS = "daily-run_results.json"


class Ingester:
    """Runs the real ingest against a temporary landing folder and warehouse file."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.settings = settings_for(tmp)
        self.landing = self.settings.landing_dir
        self.runs = 0

    def folder(self, date: str) -> Path:
        return self.landing / date

    def run(self, as_of: str = "2025-03-31"):
        self.runs += 1
        con = connect(self.settings)
        try:
            ensure_schema(con)
            return ingest(con, self.settings, dt.date.fromisoformat(as_of), f"test-{self.runs}", progress=lambda m: None)
        finally:
            con.close()

    def query(self, sql: str, params=None) -> list[tuple]:
        con = connect(self.settings, read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()


@pytest.fixture
def ingester(tmp_path: Path) -> Ingester:
    return Ingester(tmp_path)


class Council:
    """A small synthetic council's export history, generated once per test session."""

    def __init__(self, landing: Path):
        self.landing = landing
        self.folders = sorted(p.name for p in landing.iterdir() if p.is_dir())
        self.last_extract = dt.date.fromisoformat(self.folders[-1])

    def settings_in(self, tmp: Path, landing: Path | None = None):
        return settings_for(tmp, THREEC_LANDING_DIR=str(landing or self.landing))


@pytest.fixture(scope="session")
def small_council(tmp_path_factory) -> Council:
    from threec.generate import generate
    landing = tmp_path_factory.mktemp("council") / "landing"
    generate(landing, people=600, seed=11)
    return Council(landing)


def marts_snapshot(settings) -> dict[str, list[tuple]]:
    """Every marts table's rows, sorted, for comparing two warehouses."""
    con = connect(settings, read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1").fetchall()]
        return {t: con.execute(f'select * from marts."{t}" order by all').fetchall() for t in tables}
    finally:
        con.close()


@pytest.fixture(scope="session")
def built_council(small_council, tmp_path_factory):
    """The small council through one full `threec run` (ingest, dbt build, checks, publish)."""
    from threec.pipeline import run
    settings = small_council.settings_in(tmp_path_factory.mktemp("built"))
    summary = run(settings, small_council.last_extract, progress=lambda _m: None)
    # kept aside: later dbt invocations on this warehouse (unit tests, returns) overwrite it
    shutil.copy(target_path(settings) / "run_results.json", settings.state_dir / DAILY_RUN_RESULTS)
    return settings, summary


@pytest.fixture(scope="session")
def tiny_bench(tmp_path_factory):
    """One `bench/run.py --scale tiny --spark`: its process and its work folder. The
    benchmark's tests (test_bench.py) and the Spark build's (test_dbt_spark.py) read the
    same run, so the suite builds the project on Spark once; both modules are in the
    xdist group "bench" so that one worker runs it."""
    repo = Path(__file__).resolve().parent.parent
    bench_dir = tmp_path_factory.mktemp("bench")
    env = {**os.environ, "THREEC_BENCH_DIR": str(bench_dir)}
    proc = subprocess.run([sys.executable, str(repo / "bench" / "run.py"), "--scale", "tiny", "--spark"], cwd=repo,
                          env=env, capture_output=True, text=True, timeout=1200)
    return proc, bench_dir / "tiny" / "run"
