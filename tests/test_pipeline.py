"""End to end on a generated council with the real ingest, `dbt build` and publish:
reruns change nothing, late or out-of-order extracts and killed runs end the same."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from threec.pipeline import ingest_step, run
from threec.publish import current_version, marts_dir
from threec.warehouse import connect

from conftest import marts_snapshot
from helpers import TEST_KEY, TEST_VAULT_KEY

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("pipeline")]
QUIET = lambda _msg: None  # noqa: E731


@pytest.fixture(scope="module")
def reference(small_council, tmp_path_factory):
    """One clean run over the whole history: what every other path must equal."""
    settings = small_council.settings_in(tmp_path_factory.mktemp("reference"))
    summary = run(settings, small_council.last_extract, progress=QUIET)
    return settings, summary, marts_snapshot(settings)


# What ingest recorded, without what differs between two correct runs (delivery ids,
# times, run ids): a file loaded twice or a quarantine row lost shows here.
DQ_SNAPSHOT = {
    "file_ledger": "extract_date, entity, file, sha256, status, rows_delivered, rows_loaded, rows_quarantined",
    "quarantine": 'extract_date, entity, file, row_number, record_id, "column", rule, reason',
    "rejected_files": "extract_date, entity, file, sha256, reason",
    "ingest_notes": 'extract_date, entity, file, row_number, "column", note',
}


def dq_snapshot(settings) -> dict[str, list[tuple]]:
    con = connect(settings, read_only=True)
    try:
        out = {t: con.execute(f"select {cols} from dq.{t} order by all").fetchall() for t, cols in DQ_SNAPSHOT.items()}
        for (entity,) in con.execute("select table_name from information_schema.tables where table_schema = 'raw' "
                                     "order by 1").fetchall():
            out[f"raw.{entity}"] = con.execute(f'select count(*) from raw."{entity}"').fetchall()
        return out
    finally:
        con.close()


def published_snapshot(settings) -> dict[str, list[tuple]]:
    """The rows of every table BI readers see through `current`."""
    version = current_version(marts_dir(settings))
    return {name: duckdb.execute(f"select * from read_parquet('{version.table(name)}') order by all").fetchall()
            for name in version.tables}


def test_clean_run_loads_everything_and_accounts_for_every_row(reference):
    settings, summary, marts = reference
    assert summary.ingest.count("loaded") > 10
    assert summary.ingest.rows_quarantined > 0, "the demo council carries messy rows"
    for f in summary.ingest.files:
        if f.status == "loaded":
            assert f.delivered == f.loaded + f.quarantined
    assert len(marts["fct_conversations"]) > 100 and len(marts["fct_requests"]) > 50
    assert summary.published.tables["fct_conversations"] == len(marts["fct_conversations"])


def test_rerun_from_the_cli_changes_nothing_and_prints_a_summary(reference, small_council):
    settings, _, before = reference
    proc = _threec(settings, "run", "--as-of", small_council.last_extract.isoformat())
    out, _ = proc.communicate(timeout=900)
    assert proc.returncode == 0, out[-2000:]
    assert "files: 0 loaded" in out and "0 rejected whole" in out
    assert "figures as of" in out and "quarantined" in out and "unexplained C1->C3 escalations" in out
    assert marts_snapshot(settings) == before


def test_late_and_out_of_order_extracts_end_with_the_same_marts(reference, small_council, tmp_path):
    """Folders arrive newest first and the first (full) extract last of all; the marts are
    rebuilt from raw at the end, so only the final build needs to run."""
    _, _, expected = reference
    landing = tmp_path / "landing"
    landing.mkdir()
    settings = small_council.settings_in(tmp_path, landing)
    folders = small_council.folders
    arrivals = [[folders[-1], folders[1]], folders[2:-1][::-1], [folders[0]]]
    for batch in arrivals:
        for name in batch:
            shutil.copytree(small_council.landing / name, landing / name)
        ingest_step(settings, small_council.last_extract, f"late-{name}", progress=QUIET)
    run(settings, small_council.last_extract, progress=QUIET)
    assert marts_snapshot(settings) == expected


def _threec(settings, *args: str) -> subprocess.Popen:
    env = settings.child_env()
    env["THREEC_PSEUDONYM_KEY"] = TEST_KEY
    env.pop("THREEC_DEMO", None)
    return subprocess.Popen([sys.executable, "-m", "threec.cli", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _kill_when(proc: subprocess.Popen, marker: str, partial_publish: Path | None) -> list[str]:
    """SIGKILL ``proc`` as soon as it prints ``marker`` (or, when ``partial_publish`` is
    given, as soon as a publish starts writing a version folder there: mid-copy)."""
    seen: list[str] = []
    marked = threading.Event()

    def read() -> None:
        for line in proc.stdout:
            seen.append(line)
            if marker in line:
                marked.set()
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    while proc.poll() is None and not marked.is_set():
        if partial_publish is not None and partial_publish.is_dir() and any(partial_publish.glob(".*.partial")):
            break
        marked.wait(0.005)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    reader.join(timeout=10)
    return seen


@pytest.mark.parametrize("kill_when", ["ingest", "dbt", "publish"])
def test_a_run_killed_part_way_then_rerun_gives_the_same_marts(reference, small_council, tmp_path, kill_when):
    """SIGKILL inside ingest (after the first file committed), inside `dbt build`, and
    inside publish (while it writes the Parquet, or just after the swap before the finance
    workbook); the rerun ends with the marts, the published files and ingest's records
    (ledger, quarantine, rejections, notes, raw row counts) of one clean run: nothing
    loaded twice, nothing lost."""
    ref_settings, _, expected = reference
    settings = small_council.settings_in(tmp_path)
    marker = {"ingest": "rows:", "dbt": "dbt:", "publish": "marts tables as Parquet"}[kill_when]
    proc = _threec(settings, "run", "--as-of", small_council.last_extract.isoformat())
    seen = _kill_when(proc, marker, marts_dir(settings) / "versions" if kill_when == "publish" else None)
    assert proc.returncode == -signal.SIGKILL, "".join(seen[-20:])
    if kill_when == "publish":
        assert any("data-quality report:" in line for line in seen), "killed before publish began"
    rerun = _threec(settings, "run", "--as-of", small_council.last_extract.isoformat())
    out, _ = rerun.communicate(timeout=900)
    assert rerun.returncode == 0, out[-3000:]
    assert marts_snapshot(settings) == expected
    assert dq_snapshot(settings) == dq_snapshot(ref_settings)
    assert published_snapshot(settings) == published_snapshot(ref_settings)
    con = connect(settings, read_only=True)
    try:
        dup = con.execute("select count(*) - count(distinct (extract_date, entity, sha256)) "
                          "from dq.file_ledger").fetchone()[0]
    finally:
        con.close()
    assert dup == 0, "a file was loaded twice"


def test_cli_refuses_to_run_without_a_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("THREEC_")}
    env["THREEC_LANDING_DIR"] = str(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "threec.cli", "run"], env=env, text=True, capture_output=True)
    assert proc.returncode == 1
    assert "THREEC_PSEUDONYM_KEY" in proc.stderr and "Traceback" not in proc.stderr


def test_cli_reports_an_empty_landing_folder_clearly(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("THREEC_")}
    env.update(THREEC_LANDING_DIR=str(tmp_path / "nothing"), THREEC_PSEUDONYM_KEY=TEST_KEY,
               THREEC_VAULT_KEY=TEST_VAULT_KEY, THREEC_WAREHOUSE=str(tmp_path / "wh.duckdb"))
    proc = subprocess.run([sys.executable, "-m", "threec.cli", "run"], env=env, text=True, capture_output=True)
    assert proc.returncode == 1
    assert "no extract folders" in proc.stderr and "Traceback" not in proc.stderr


def test_published_files_hold_no_personal_data(reference, small_council):
    settings, _, _ = reference
    import duckdb
    published = Path(settings.output_dir, "marts", "current")
    text = " ".join(str(v) for f in published.glob("*.parquet")
                    for r in duckdb.execute(f"select * from '{f}'").fetchall() for v in r)
    raw_people = (small_council.landing / small_council.folders[0] / "people.csv").read_text(encoding="utf-8-sig")
    import csv
    import io
    for rec in list(csv.DictReader(io.StringIO(raw_people)))[:200]:
        rec = {k.strip().lower(): v for k, v in rec.items() if k}
        for field in ("nhs_number", "postcode"):
            value = (rec.get(field) or "").strip()
            if len(value) >= 6:
                assert value not in text and value.replace(" ", "") not in text
