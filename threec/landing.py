"""What is in the landing folder: extract folders, their manifests, files and headers."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from threec.contract import load_contract

MANIFEST = "manifest.csv"


@dataclass
class ManifestEntry:
    row_count: int | None
    sha256: str | None


@dataclass
class ExtractFolder:
    extract_date: dt.date
    path: Path
    files: dict[str, Path] = field(default_factory=dict)  # entity -> file
    manifest: dict[str, ManifestEntry] | None = None  # entity -> entry
    manifest_error: str | None = None
    manifest_sha256: str | None = None
    notes: list[tuple[str, str]] = field(default_factory=list)  # (file, note)


@dataclass
class Scan:
    folders: list[ExtractFolder]
    notes: list[tuple[str, str]]  # (path, note) about the landing folder itself


def parse_folder_date(name: str) -> dt.date | None:
    if len(name) != 10:
        return None
    try:
        return dt.date.fromisoformat(name)
    except ValueError:
        return None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def read_manifest(path: Path) -> tuple[dict[str, ManifestEntry] | None, str | None]:
    try:
        text = path.read_text("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
    except (UnicodeDecodeError, csv.Error, OSError) as exc:
        return None, f"manifest.csv could not be read ({exc.__class__.__name__}: {exc})"
    if not rows and not text.strip():
        return None, "manifest.csv is empty"
    header = {(h or "").strip().lower() for h in (rows[0].keys() if rows else [])}
    needed = {"entity", "file", "row_count", "sha256"}
    if rows and not needed <= header:
        return None, f"manifest.csv lacks column(s) {', '.join(sorted(needed - header))}"
    entries: dict[str, ManifestEntry] = {}
    for number, row in enumerate(rows, start=1):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
        entity = row.get("entity") or Path(row.get("file", "")).stem
        try:
            count = int(row["row_count"]) if row.get("row_count") else None
        except ValueError:
            return None, f"manifest.csv row {number}: row_count {row['row_count']!r} is not a whole number"
        entries[entity] = ManifestEntry(count, (row.get("sha256") or "").lower() or None)
    return entries, None


def scan(landing: Path, as_of: dt.date) -> Scan:
    """Extract folders dated on or before ``as_of``, oldest first."""
    contract = load_contract()
    known = {e.file_name: name for name, e in contract.entities.items()}
    notes: list[tuple[str, str]] = []
    folders: list[ExtractFolder] = []
    if not landing.is_dir():
        return Scan([], [(str(landing), "landing folder does not exist")])
    root = landing.resolve()
    for child in sorted(landing.iterdir()):
        date = parse_folder_date(child.name)
        if not child.is_dir():
            notes.append((child.name, "not an extract folder (a file in the landing folder): ignored"))
            continue
        if date is None:
            notes.append((child.name, "folder name is not an extract date (YYYY-MM-DD): ignored"))
            continue
        if child.is_symlink() and root not in child.resolve().parents:
            notes.append((child.name, "extract folder is a link pointing outside the landing folder: ignored"))
            continue
        if date > as_of:
            continue
        folder = ExtractFolder(date, child)
        for f in sorted(child.iterdir()):
            if f.name.lower() == MANIFEST:
                folder.manifest, folder.manifest_error = read_manifest(f)
                folder.manifest_sha256 = sha256_of(f)
            elif f.name in known and f.is_file() and not (f.is_symlink() and child.resolve() != f.resolve().parent):
                folder.files[known[f.name]] = f
            else:
                folder.notes.append((f.name, "not a file of the contract (expected <entity>.csv): ignored"))
        folders.append(folder)
    folders.sort(key=lambda f: f.extract_date)
    return Scan(folders, notes)


def read_header(path: Path) -> tuple[list[str] | None, str | None]:
    """The header record, with a BOM removed. Returns (names, error)."""
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as fh:
            first = next(csv.reader(fh), None)
    except UnicodeDecodeError:
        return None, "the header row is not UTF-8 text"
    except csv.Error as exc:
        return None, f"the header row is not valid CSV ({exc})"
    if not first or all(not h.strip() for h in first):
        return None, "the file has no header row"
    return first, None
