"""Publish every marts table as Parquet for BI readers, never the live warehouse file.

A publish writes a complete new version folder (``versions/<name>/``: one Parquet file per
table and ``_manifest.json`` naming the version, its tables and their row counts), then
points ``current`` at it by renaming a new symlink over the old one. A rename is atomic,
so ``current`` always names one complete version. A reader that resolves ``current`` once
(``current_version``) reads one version's whole set, never a mix or a half-written file;
a reader that opens ``current/<table>.parquet`` gets one whole file. An existing version
is never modified: a rerun of the same run writes a new version beside it. The previous
version stays after the swap, so a reader already inside it can finish."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from threec.config import Settings
from threec.errors import ThreecError
from threec.privacy import sql_str
from threec.warehouse import connect

log = logging.getLogger("threec.publish")

# Column names that would mean personal data had reached a published table.
FORBIDDEN_COLUMNS = {"nhs_number", "nhs_pseudonym", "postcode", "escalation_note", "date_of_birth"}
KEEP_VERSIONS = 2  # the current version and the one before it are never removed
# An older version is removed only once it has been superseded for this long, so a BI
# refresh that resolved `current` just before two quick publishes still finds its files.
PRUNE_AFTER_SECONDS = 3600
MANIFEST = "_manifest.json"


@dataclass
class Published:
    version_dir: Path
    tables: dict[str, int]


@dataclass
class CurrentVersion:
    path: Path  # the resolved version folder: read every table from here, not through `current`
    manifest: dict

    @property
    def tables(self) -> dict[str, int]:
        return self.manifest["tables"]

    def table(self, name: str) -> Path:
        return self.path / f"{name}.parquet"


def marts_dir(settings: Settings) -> Path:
    return settings.output_dir / "marts"


def current_dir(settings: Settings) -> Path:
    return marts_dir(settings) / "current"


def current_version(marts: Path) -> CurrentVersion:
    """Resolve ``<marts>/current`` once and read its manifest: every table read from the
    returned path belongs to that one version, whatever is published meanwhile."""
    link = marts / "current"
    try:
        path = (marts / os.readlink(link)).resolve()
        manifest = json.loads((path / MANIFEST).read_text("utf-8"))
    except FileNotFoundError:
        raise ThreecError(f"nothing is published yet in {marts} (no `current` version)") from None
    return CurrentVersion(path, manifest)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _free_version_name(versions: Path, run_id: str) -> str:
    """``run_id``, or ``run_id.N`` when a retried publish of the same run already wrote one:
    an existing version may be the one readers are in, so it is never rewritten."""
    name, n = run_id, 1
    while (versions / name).exists():
        n += 1
        name = f"{run_id}.{n}"
    return name


def publish(settings: Settings, run_id: str, as_of: dt.date, progress=log.info) -> Published:
    published = publish_marts(settings, run_id, as_of, progress)
    publish_finance_workbook(settings, as_of, progress)
    return published


def publish_marts(settings: Settings, run_id: str, as_of: dt.date, progress=log.info) -> Published:
    base = marts_dir(settings)
    versions = base / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    os.chmod(settings.output_dir, 0o750)
    name = _free_version_name(versions, run_id)
    partial = versions / f".{name}.partial"
    final = versions / name
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    tables: dict[str, int] = {}
    try:
        con = connect(settings, read_only=True)
        try:
            names = [r[0] for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' "
                "order by table_name").fetchall()]
            if not names:
                raise ThreecError("nothing to publish: the warehouse has no marts tables (did dbt build run?)")
            for table in names:
                cols = {r[0] for r in con.execute(
                    "select column_name from information_schema.columns where table_schema = 'marts' "
                    "and table_name = ?", [table]).fetchall()}
                leaked = cols & FORBIDDEN_COLUMNS
                if leaked:
                    raise ThreecError(f"refusing to publish marts.{table}: it has personal column(s) {sorted(leaked)}")
                target = partial / f"{table}.parquet"
                # COPY answers with the rows it wrote: counting again would compute a view twice
                (tables[table],) = con.execute(
                    f'copy marts."{table}" to {sql_str(str(target))} (format parquet, compression zstd)').fetchone()
        finally:
            con.close()
        (partial / MANIFEST).write_text(json.dumps(
            {"version": name, "run_id": run_id, "as_of_date": as_of.isoformat(), "tables": tables,
             "published_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}, indent=2))
        # On disk before the swap: after a power cut `current` must not name empty files.
        for f in partial.iterdir():
            _fsync(f)
        _fsync(partial)
        partial.rename(final)
        _fsync(versions)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    link = current_dir(settings)
    tmp_link = base / f".current.{name}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    tmp_link.symlink_to(Path("versions") / name, target_is_directory=True)
    os.replace(tmp_link, link)  # the one step that switches readers to the new version
    _fsync(base)
    _prune(versions, keep=final)
    progress(f"published {len(tables)} marts tables as Parquet to {link} (version {name})")
    return Published(final, tables)


def publish_finance_workbook(settings: Settings, as_of: dt.date, progress=log.info) -> Path:
    """The finance workbook for this as-of date and its journey list (each written beside,
    then renamed into place)."""
    from threec.finance.workbook import journeys_csv_path, write_finance_workbook
    folder = settings.output_dir / "finance"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"threec-finance-{as_of}.xlsx"
    con = connect(settings, read_only=True)
    try:
        write_finance_workbook(con, path)
    finally:
        con.close()
    progress(f"published the finance workbook {path} and its journey list {journeys_csv_path(path).name}")
    return path


def _prune(versions: Path, keep: Path, now: float | None = None) -> None:
    """Remove versions older than the last KEEP_VERSIONS once superseded for
    PRUNE_AFTER_SECONDS, and folders left by publishes that died part way."""
    now = time.time() if now is None else now
    done = sorted((p for p in versions.iterdir() if p.is_dir() and not p.name.startswith(".")),
                  key=lambda p: p.stat().st_mtime)
    for old, successor in zip(done[:-KEEP_VERSIONS], done[1:]):
        if old != keep and now - successor.stat().st_mtime > PRUNE_AFTER_SECONDS:
            shutil.rmtree(old, ignore_errors=True)
    for stale in versions.glob(".*.partial"):
        if now - stale.stat().st_mtime > PRUNE_AFTER_SECONDS:
            shutil.rmtree(stale, ignore_errors=True)
