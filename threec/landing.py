"""What is in the landing folder: extract folders, their manifests, files and headers."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import mmap
import re
from dataclasses import dataclass, field
from pathlib import Path

from threec.contract import load_contract

MANIFEST = "manifest.csv"
HEADER_MAX_BYTES = 1 << 20


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
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (path, why): the run must fail


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


def _unreadable(exc: OSError) -> str:
    return f"cannot be read ({exc.strerror or exc.__class__.__name__})"


def scan(landing: Path, as_of: dt.date) -> Scan:
    """Extract folders dated on or before ``as_of``, oldest first.

    Links are never followed, inside or outside the landing folder: a link named like a
    date would deliver another folder's files a second time under a new extract date, and
    one pointing elsewhere would load files the export never wrote. Each is noted once."""
    contract = load_contract()
    known = {e.file_name: name for name, e in contract.entities.items()}
    notes: list[tuple[str, str]] = []
    folders: list[ExtractFolder] = []
    unreadable: list[tuple[str, str]] = []
    if not landing.is_dir():
        return Scan([], [(str(landing), "landing folder does not exist")])
    try:
        children = sorted(landing.iterdir())
    except OSError as exc:
        return Scan([], [], [(str(landing), _unreadable(exc))])
    for child in children:
        date = parse_folder_date(child.name)
        if child.is_symlink():
            notes.append((child.name, "is a link: extract folders and files must be real ones, "
                                      "links are never followed: ignored"))
            continue
        if not child.is_dir():
            notes.append((child.name, "not an extract folder (a file in the landing folder): ignored"))
            continue
        if date is None:
            notes.append((child.name, "folder name is not an extract date (YYYY-MM-DD): ignored"))
            continue
        if date > as_of:
            continue
        folder = ExtractFolder(date, child)
        try:
            entries = sorted(child.iterdir())
        except OSError as exc:
            unreadable.append((child.name, _unreadable(exc)))
            continue
        for f in entries:
            if f.is_symlink():
                folder.notes.append((f.name, "is a link: export files must be real files, links are never "
                                             "followed: ignored"))
            elif f.name.lower() == MANIFEST and f.is_file():
                folder.manifest, folder.manifest_error = read_manifest(f)
                try:
                    folder.manifest_sha256 = sha256_of(f)
                except OSError as exc:
                    folder.manifest, folder.manifest_error = None, f"manifest.csv {_unreadable(exc)}"
                    folder.manifest_sha256 = None
            elif f.name in known and f.is_file():
                folder.files[known[f.name]] = f
            else:
                folder.notes.append((f.name, "not a file of the contract (expected <entity>.csv): ignored"))
        folders.append(folder)
    folders.sort(key=lambda f: f.extract_date)
    return Scan(folders, notes, unreadable)


def read_header(path: Path) -> tuple[list[str] | None, str | None]:
    """The header record, with a BOM removed. Returns (names, error).

    Only the header's own bytes are decoded: a data row in another encoding is that
    row's problem (quarantined), not a reason to reject the whole file."""
    with path.open("rb") as fh:
        head = fh.read(HEADER_MAX_BYTES + 1)
    end = _record_end(head, len(BOM) if head.startswith(BOM) else 0)
    if end > HEADER_MAX_BYTES:
        return None, f"the header row is longer than {HEADER_MAX_BYTES // (1 << 20)} MiB (is this a CSV file?)"
    try:
        text = head[:end].decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, "the header row is not UTF-8 text"
    try:
        first = next(csv.reader(io.StringIO(text, newline="")), None)
    except csv.Error as exc:
        return None, f"the header row is not valid CSV ({exc})"
    if not first or all(not h.strip() for h in first):
        return None, "the file has no header row"
    return first, None

# The shape of a CSV file, as far as numbering its records needs. DuckDB's reader (which
# does the real parsing) skips empty lines yet still counts them in the line numbers of
# the rows it rejects, refuses a file that mixes line-end styles (CRLF, LF, CR), and after
# a broken quote resumes at a line end of the file's first style only. A file with broken
# rows is therefore rewritten into a normalised copy (one record per LF line, no empty
# lines, quoted fields byte for byte) and the copy is parsed instead.
_QUOTED_FIELD = re.compile(rb'"(?:[^"]+|"")*(?:"|\Z)')  # an unclosed quote runs to the end, as RFC 4180 reads it
_FIELD_REST = re.compile(rb"[^,\r\n]*")
_QUOTE, _COMMA, _CR, _LF = 0x22, 0x2C, 0x0D, 0x0A
BOM = b"\xef\xbb\xbf"


def _mapped(path: Path):
    fh = path.open("rb")
    try:
        return fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    except ValueError:  # an empty file cannot be mapped
        fh.close()
        return None, None


def _record_end(buf, pos: int) -> int:
    """Where the record starting at ``pos`` ends: the offset of its line end, or the end
    of ``buf``. A quote opens a quoted field only at the start of a field (as DuckDB's
    reader has it); whatever follows a closing quote stays in that field."""
    return _scan_record(buf, pos)[0]


def _scan_record(buf, pos: int) -> tuple[int, int, tuple[int, int] | None]:
    """The record starting at ``pos``: where it ends (as _record_end), its number of fields,
    and, when a quoted field's closing quote is followed by anything but a comma or a line
    end, (the offset of that byte, the field's index)."""
    n, fields, broken = len(buf), 0, None
    while True:
        if pos < n and buf[pos] == _QUOTE:
            pos = _QUOTED_FIELD.match(buf, pos).end()
            if broken is None and pos < n and buf[pos] not in (_COMMA, _CR, _LF):
                broken = (pos, fields)
        pos = _FIELD_REST.match(buf, pos).end()
        fields += 1
        if pos < n and buf[pos] == _COMMA:
            pos += 1
            continue
        return pos, fields, broken


def _cut_after_broken_quote(record: bytes, at: int, field: int, width: int) -> bytes:
    """A record whose field ``field`` has text after its closing quote, cut just after the
    first byte of that text and given empty fields up to ``width``. The reader rejects it
    for that field alone; left whole, the reader, resuming inside the record after the
    error, could take its tail for one more record (a row the file does not have)."""
    after = record[at:at + 1] if record[at] < 0x80 else b"?"  # never half a UTF-8 character
    return record[:at] + after + b"," * max(width - 1 - field, 0)


def normalise_records(src: Path, dst: Path) -> None:
    """Copy ``src`` to ``dst`` with each record on one line ending in LF and empty lines
    dropped. Records are split as RFC 4180 reads them, with any of CRLF, LF and CR ending a
    record outside quotes (see _record_end). Nothing else changes, so the reader still
    sees, and rejects, every broken row; a record with text after a closing quote is cut
    there (_cut_after_broken_quote), as the reader rejects it all the same."""
    fh, mm = _mapped(src)
    with dst.open("wb") as out:
        if mm is None:
            return
        try:
            n, pos, width = len(mm), 0, None
            while pos < n:
                # A byte-order mark is part of the first record, but a quote right after it
                # still opens that record's first field.
                end, fields, broken = _scan_record(mm, pos + len(BOM) if pos == 0 and mm[:len(BOM)] == BOM else pos)
                if end > pos:
                    if width is not None and broken is not None:
                        out.write(_cut_after_broken_quote(mm[pos:end], broken[0] - pos, broken[1], width))
                    else:
                        out.write(mm[pos:end])
                    out.write(b"\n")
                    if width is None:
                        width = fields  # the header's (a broken header is the header check's to refuse)
                if end < n:
                    end += 2 if mm[end] == _CR and end + 1 < n and mm[end + 1] == _LF else 1
                pos = end
        finally:
            mm.close()
            fh.close()
