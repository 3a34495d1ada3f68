"""Publish every marts table as Parquet for BI readers, never the live warehouse file.

A publish writes a complete new version folder, then swaps the ``current`` link to it in
one atomic rename, so a reader sees either the old set or the new one, never a mix or a
half-written file. The previous version stays until the next publish succeeds."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from threec.config import Settings
from threec.errors import ThreecError
from threec.privacy import sql_str
from threec.warehouse import connect

log = logging.getLogger("threec.publish")

# Column names that would mean personal data had reached a published table.
FORBIDDEN_COLUMNS = {"nhs_number", "nhs_pseudonym", "postcode", "escalation_note", "date_of_birth"}
KEEP_VERSIONS = 2


@dataclass
class Published:
    version_dir: Path
    tables: dict[str, int]


def marts_dir(settings: Settings) -> Path:
    return settings.output_dir / "marts"


def current_dir(settings: Settings) -> Path:
    return marts_dir(settings) / "current"


def publish(settings: Settings, run_id: str, as_of: dt.date, progress=log.info) -> Published:
    base = marts_dir(settings)
    versions = base / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    os.chmod(settings.output_dir, 0o750)
    partial = versions / f".{run_id}.partial"
    final = versions / run_id
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    tables: dict[str, int] = {}
    con = connect(settings, read_only=True)
    try:
        names = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "order by table_name").fetchall()]
        if not names:
            raise ThreecError("nothing to publish: the warehouse has no marts tables (did dbt build run?)")
        for name in names:
            cols = {r[0] for r in con.execute(
                "select column_name from information_schema.columns where table_schema = 'marts' "
                "and table_name = ?", [name]).fetchall()}
            leaked = cols & FORBIDDEN_COLUMNS
            if leaked:
                raise ThreecError(f"refusing to publish marts.{name}: it has personal column(s) {sorted(leaked)}")
            target = partial / f"{name}.parquet"
            con.execute(f'copy marts."{name}" to {sql_str(str(target))} (format parquet, compression zstd)')
            (tables[name],) = con.execute(f'select count(*) from marts."{name}"').fetchone()
    finally:
        con.close()
    (partial / "_manifest.json").write_text(json.dumps(
        {"run_id": run_id, "as_of_date": as_of.isoformat(), "tables": tables,
         "published_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}, indent=2))
    if final.exists():
        shutil.rmtree(final)
    partial.rename(final)
    link = current_dir(settings)
    tmp_link = base / f".current.{run_id}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    tmp_link.symlink_to(Path("versions") / run_id, target_is_directory=True)
    os.replace(tmp_link, link)
    _prune(versions, keep=final)
    progress(f"published {len(tables)} marts tables as Parquet to {link}")
    workbook = publish_finance_workbook(settings, as_of)
    progress(f"published the finance workbook {workbook}")
    return Published(final, tables)


def publish_finance_workbook(settings: Settings, as_of: dt.date) -> Path:
    """The finance workbook for this as-of date (written beside, then renamed into place)."""
    from threec.finance.workbook import write_finance_workbook
    folder = settings.output_dir / "finance"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"threec-finance-{as_of}.xlsx"
    con = connect(settings, read_only=True)
    try:
        write_finance_workbook(con, path)
    finally:
        con.close()
    return path


def _prune(versions: Path, keep: Path) -> None:
    done = sorted((p for p in versions.iterdir() if p.is_dir() and not p.name.startswith(".")),
                  key=lambda p: p.stat().st_mtime)
    for old in done[:-KEEP_VERSIONS]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
