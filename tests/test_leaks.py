"""Nothing secret or personal leaks: one `threec run` of the small generated council with
real random keys, then every log line, every output file and every working file is
searched for both keys (and the key-derived HMAC pads ingest's SQL carries), every NHS
number of the input (with and without spaces), every full postcode and every meaningful
escalation note. Nothing may be found.

Searched: the run's own output (threec's logging and summary), everything under the
output folder (Parquet and xlsx read as data, HTML and JSON unescaped), everything
beside the warehouse (dbt's target and logs, Great Expectations' working context and
results, the run lock), and every table of the warehouse itself. Not searched: the
returns folder (the statutory returns must hold NHS numbers; `threec run` writes none)
and the identity vault (encrypted; tests/test_returns.py checks it holds none in clear).
The Airflow task logs of the same code path are not produced here (the run is the CLI's).

The same run's output tree is checked for permissions: nothing for others, no group
write (folders 0750, files 0640)."""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import secrets
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

from threec.files import DIR_MODE, FILE_MODE
from threec.generate.notes import is_meaningful
from threec.privacy import _hmac_pads
from threec.warehouse import connect

from helpers import settings_for

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("pipeline")]

NHS_SHAPE = re.compile(r"(?<!\d)(\d{3} ?\d{3} ?\d{4})(?!\d)")
POSTCODE_SHAPE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2})(?![A-Za-z0-9])")
VALID_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


class Needles:
    """What must never be found, read from the delivered files themselves."""

    def __init__(self, landing: Path, keys: list[str]):
        self.nhs: set[str] = set()
        self.postcodes: set[str] = set()
        self.notes: set[str] = set()
        self.secrets = [k for key in keys for k in (key, *_hmac_pads(key))]
        for path in landing.glob("*/*.csv"):
            with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
                for rec in csv.DictReader(fh):
                    rec = {(k or "").strip().lower(): v for k, v in rec.items()}
                    digits = (rec.get("nhs_number") or "").replace(" ", "")
                    if len(digits) == 10 and digits.isdigit():
                        self.nhs.add(digits)
                    code = (rec.get("postcode") or "").replace(" ", "").upper()
                    if VALID_POSTCODE.match(code):
                        self.postcodes.add(code)
                    note = rec.get("escalation_note")
                    if note and is_meaningful(note):
                        self.notes.add(note.strip())

    def found_in(self, text: str) -> list[str]:
        hits = [f"NHS number {m}" for m in {m.replace(" ", "") for m in NHS_SHAPE.findall(text)} & self.nhs]
        hits += [f"postcode {m}" for m in {m.replace(" ", "").upper() for m in POSTCODE_SHAPE.findall(text)}
                 & self.postcodes]
        hits += [f"note {n[:30]!r}..." for n in self.notes if n in text]
        hits += ["a key (or its HMAC pad)" for s in self.secrets if s in text]
        return hits


def texts_of(path: Path) -> list[str]:
    """A file's text as a reader of that kind of file would see it."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        rows = duckdb.execute(f"select * from read_parquet('{path}')").fetchall()
        return ["\n".join("\t".join(str(v) for v in r) for r in rows)]
    if suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return [html.unescape(z.read(n).decode("utf-8", "replace")) for n in z.namelist()]
    raw = path.read_bytes()
    text = raw.decode("utf-8", "replace")
    out = [text, html.unescape(text), raw.decode("latin-1")]
    if suffix == ".json":
        try:
            out.append(json.dumps(json.loads(text), ensure_ascii=False))
        except ValueError:
            pass
    return out


@pytest.fixture(scope="module")
def leak_run(small_council, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("leaks")
    keys = {"THREEC_PSEUDONYM_KEY": secrets.token_urlsafe(48), "THREEC_VAULT_KEY": secrets.token_urlsafe(48)}
    settings = settings_for(tmp, THREEC_LANDING_DIR=str(small_council.landing), **keys)
    env = settings.child_env()
    env.pop("THREEC_DEMO", None)
    proc = subprocess.run([sys.executable, "-m", "threec.cli", "run", "--as-of", small_council.last_extract.isoformat()],
                          env=env, text=True, capture_output=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = proc.stdout + proc.stderr
    assert "quarantined" in log and "dbt:" in log, "the run's progress lines are what is searched"
    return settings, Needles(small_council.landing, list(keys.values())), log


def test_the_needles_are_real_and_the_search_finds_them(leak_run, small_council):
    """Searching the delivered files themselves finds every kind: the search would see a leak."""
    _, needles, _ = leak_run
    assert len(needles.nhs) > 300 and len(needles.postcodes) > 300 and len(needles.notes) > 20
    delivered = [*small_council.landing.glob("*/people.csv"), *small_council.landing.glob("*/conversations.csv")]
    found = needles.found_in("".join(p.read_text("utf-8-sig") for p in delivered))
    assert {h.split()[0] for h in found} >= {"NHS", "postcode", "note"}
    assert needles.found_in(f"key={needles.secrets[0]}") == ["a key (or its HMAC pad)"]


def test_the_run_logs_hold_no_key_and_no_personal_data(leak_run):
    settings, needles, log = leak_run
    dbt_logs = [p for p in (settings.state_dir / "dbt_logs").rglob("*") if p.is_file()]
    assert dbt_logs, "dbt wrote its logs beside the warehouse"
    found = needles.found_in(log) + [f"{p}: {h}" for p in dbt_logs for t in texts_of(p) for h in needles.found_in(t)]
    assert found == []


def test_no_output_file_holds_a_key_or_personal_data(leak_run):
    settings, needles, _ = leak_run
    files = [p for p in settings.output_dir.rglob("*") if p.is_file()]
    kinds = {p.suffix for p in files}
    assert {".parquet", ".xlsx", ".html", ".csv", ".json"} <= kinds, kinds
    found = [f"{p.relative_to(settings.output_dir)}: {h}" for p in files for t in texts_of(p)
             for h in needles.found_in(t)]
    assert found == []


def test_no_working_file_or_warehouse_table_holds_a_key_or_personal_data(leak_run):
    settings, needles, _ = leak_run
    skip = {settings.warehouse.name, settings.vault_path.name, settings.warehouse.name + ".wal"}
    files = [p for p in settings.state_dir.rglob("*") if p.is_file() and p.name not in skip]
    assert any("dbt_target" in p.parts for p in files) and any("gx" in p.parts for p in files)
    found = [f"{p.relative_to(settings.state_dir)}: {h}" for p in files for t in texts_of(p)
             for h in needles.found_in(t)]
    con = connect(settings, read_only=True)
    try:
        tables = con.execute("select table_schema, table_name from information_schema.tables "
                             "where table_catalog = current_database()").fetchall()
        for schema, table in tables:
            rows = con.execute(f'select * from "{schema}"."{table}"').fetchall()
            text = "\n".join("\t".join(str(v) for v in r) for r in rows)
            found += [f"{schema}.{table}: {h}" for h in needles.found_in(text)]
    finally:
        con.close()
    assert len(tables) > 20
    assert found == []


def test_outputs_are_for_the_owner_and_group_only(leak_run):
    settings, _, _ = leak_run
    loose = []
    for p in [settings.output_dir, *settings.output_dir.rglob("*")]:
        if p.is_symlink():
            continue
        mode = stat.S_IMODE(p.stat().st_mode)
        if mode & 0o027:  # anything for others, or write for the group
            loose.append(f"{p}: {oct(mode)}")
    assert loose == []
    assert stat.S_IMODE(settings.output_dir.stat().st_mode) == DIR_MODE
    report = settings.output_dir / "dq"
    assert stat.S_IMODE(report.stat().st_mode) == DIR_MODE
    assert stat.S_IMODE((report / "worklist.csv").stat().st_mode) == FILE_MODE
    assert stat.S_IMODE((report / "index.html").stat().st_mode) == FILE_MODE
    assert all(stat.S_IMODE(p.stat().st_mode) == FILE_MODE
               for p in (settings.output_dir / "marts" / "current").glob("*.parquet"))


def test_csv_text_of_the_worklist_cannot_run_as_a_formula(tmp_path):
    from threec.report.page import write_worklist_csv
    con = duckdb.connect()
    con.execute("create schema dq")
    con.execute("create table dq.escalation_worklist as select * from (values "
                "('=HYPERLINK(\"http://x\",\"y\")', date '2025-01-01', 'W1'), ('+SUM(A1)', date '2025-01-02', ' -1'), "
                "('@cmd', date '2025-01-03', '\t=1'), ('plain', date '2025-01-04', '-'), "
                "('\uff1d1+1', date '2025-01-05', 'ok')) t(finding, finding_date, worker_id)")
    for key in ("conversation_id", "next_conversation_id", "package_id", "related_conversation_id"):
        con.execute(f"alter table dq.escalation_worklist add column {key} varchar")
    path = tmp_path / "worklist.csv"
    assert write_worklist_csv(con, path) == 5
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8"))))[1:]
    cells = [c for r in rows for c in r if c and not c[0].isdigit()]
    assert all(c.startswith("'") or c[0].isalpha() for c in cells), cells
    assert ["'\uff1d1+1", "2025-01-05", "ok", "", "", "", ""] in rows
    assert stat.S_IMODE(path.stat().st_mode) == FILE_MODE


def test_file_helpers_give_each_kind_of_output_its_mode(tmp_path):
    from threec.files import (PRIVATE_FILE_MODE, atomic_write_text, ensure_dir, private_dir, restricted_umask)
    previous = os.umask(0)  # the loosest a shell could start us with
    try:
        loose = tmp_path / "loose"
        loose.mkdir(mode=0o777)
        assert stat.S_IMODE(ensure_dir(loose).stat().st_mode) == DIR_MODE
        atomic_write_text(loose / "report.html", "x")
        assert stat.S_IMODE((loose / "report.html").stat().st_mode) == FILE_MODE
        returns = private_dir(tmp_path / "returns" / "2024-25")
        atomic_write_text(returns / "cld.csv", "x", PRIVATE_FILE_MODE)
        assert stat.S_IMODE(returns.stat().st_mode) == 0o700
        assert stat.S_IMODE((returns / "cld.csv").stat().st_mode) == 0o600
        with restricted_umask():
            (tmp_path / "by-a-library.parquet").write_text("x")
            (tmp_path / "by-a-library").mkdir()
        assert stat.S_IMODE((tmp_path / "by-a-library.parquet").stat().st_mode) == 0o640
        assert stat.S_IMODE((tmp_path / "by-a-library").stat().st_mode) == 0o750
        assert os.umask(0) == 0, "the umask is restored after the step"
    finally:
        os.umask(previous)
