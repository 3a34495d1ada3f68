"""Load every extract folder on or before the as-of date that is not yet loaded.

Each delivered file is handled in one transaction: parsed and checked by DuckDB in SQL,
valid rows appended to raw.<entity> as a new version, broken rows to dq.quarantine, its
accounting to dq.file_ledger. A crash mid-file leaves nothing of that file behind, so a
rerun loads it again exactly once."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import duckdb

from threec.config import Settings
from threec.contract import Entity, load_contract
from threec.errors import IngestError
from threec.landing import (
    ExtractFolder, normalise_records, read_header, scan, sha256_of,
)
from threec.privacy import nhs_digits_sql, nhs_valid_sql, postcode_norm_sql, sql_str
from threec.validation import NoteSettings, checked_sql, nhs_note_sql, q, raw_ref, stored_sql
from threec.vault import open_vault
from threec.warehouse import LEDGER_COLUMNS

log = logging.getLogger("threec.ingest")

CSV_ERRORS = {
    "TOO MANY COLUMNS": "the row has more fields than the header",
    "MISSING COLUMNS": "the row has fewer fields than the header",
    "INVALID ENCODING": "the row is not valid UTF-8 text",
    "UNQUOTED VALUE": "a quoted field is not closed properly (stray or unbalanced quote)",
    "LINE SIZE OVER MAXIMUM": "the row is longer than the reader's maximum line size",
}


# Names shown in messages are cut to this length (a header of binary junk is one long name).
_SHOWN_NAME_CHARS = 60
# Never quoted back from a reader's error: anything shaped like an NHS number or a postcode.
_PERSONAL_SHAPES = re.compile(r"[0-9]{3} ?[0-9]{3} ?[0-9]{4}|\b[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}\b")
WORK_DIR = ".ingest-work"  # beside the warehouse: normalised copies of files being read


@dataclass
class FileResult:
    extract_date: dt.date
    entity: str
    file: str
    status: str  # loaded | rejected | unchanged | unreadable
    delivered: int = 0
    loaded: int = 0
    quarantined: int = 0
    message: str = ""


@dataclass
class IngestSummary:
    files: list[FileResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def rows_loaded(self) -> int:
        return sum(f.loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.quarantined for f in self.files)


def note_settings(settings: Settings) -> NoteSettings:
    vars_ = settings.dbt_vars()
    return NoteSettings(int(vars_["meaningful_note_min_chars"]), tuple(vars_["note_placeholders"]))


class _Rejected(Exception):
    """A whole file fails the contract; nothing of it loads."""


def _relative(settings: Settings, path: Path) -> str:
    try:
        return str(path.relative_to(settings.landing_dir))
    except ValueError:
        return str(path)


def _shown_name(name: str) -> str:
    return repr(name if len(name) <= _SHOWN_NAME_CHARS else name[:_SHOWN_NAME_CHARS] + "...")


def _reader_reason(exc: Exception) -> str:
    """The first line of a reader error, never quoting a personal-looking value."""
    text = (str(exc).splitlines() or [exc.__class__.__name__])[0][:200]
    return _PERSONAL_SHAPES.sub("(value withheld)", text)


def _map_header(entity: Entity, header: list[str]) -> tuple[dict[str, str], list[str]]:
    """contract column -> positional source column; and unknown extra names."""
    positions: dict[str, str] = {}
    extras: list[str] = []
    known = {c.name for c in entity.columns}
    seen: set[str] = set()
    for i, raw_name in enumerate(header):
        name = raw_name.strip().lower()
        if name in seen:
            raise _Rejected(f"column {_shown_name(name)} appears more than once in the header")
        seen.add(name)
        if name in known:
            positions[name] = f"c{i}"
        else:
            extras.append(raw_name.strip())
    missing = [c for c in entity.required_columns if c not in positions]
    if missing:
        # A renamed column shows as a required one missing and an unknown one present:
        # naming both lets whoever reads the rejection see the rename.
        unknown = f"; the header has unknown column(s) {', '.join(_shown_name(e) for e in extras)}" if extras else ""
        raise _Rejected(f"required column(s) missing from the header: {', '.join(missing)}{unknown}")
    return positions, extras


class FileLoader:
    def __init__(self, con: duckdb.DuckDBPyConnection, settings: Settings, run_id: str):
        self.con, self.settings, self.run_id = con, settings, run_id
        self.contract = load_contract()
        self.notes = note_settings(settings)

    def load(self, folder: ExtractFolder, entity_name: str, path: Path) -> FileResult:
        rel = _relative(self.settings, path)
        try:
            return self._load(folder, entity_name, path, rel)
        except OSError as exc:
            # Not delivered in a readable form: nothing is recorded, so the next run tries again.
            return FileResult(folder.extract_date, entity_name, rel, "unreadable",
                              message=f"cannot be read ({exc.strerror or exc.__class__.__name__})")

    def _load(self, folder: ExtractFolder, entity_name: str, path: Path, rel: str) -> FileResult:
        entity = self.contract.entities[entity_name]
        stat = path.stat()
        known = self._known_sha(rel, stat)
        sha = known or sha256_of(path)
        result = FileResult(folder.extract_date, entity_name, rel, "unchanged")
        # A loaded file is never loaded again; a rejected one is retried only when its
        # manifest changed (a corrected manifest is a corrected re-delivery too).
        if self.con.execute(
                "select 1 from dq.file_ledger where extract_date = ? and entity = ? and sha256 = ? "
                "and (status = 'loaded' or manifest_sha256 is not distinct from ?)",
                [folder.extract_date, entity_name, sha, folder.manifest_sha256]).fetchall():
            if known is None:
                # Hashed again and found unchanged (a ledger row from before change times
                # were kept, or a file whose metadata changed): remember its change time
                # so the next run need not hash it.
                self.con.execute("update dq.file_ledger set ctime_ns = ? where file = ? and sha256 = ? "
                                 "and size_bytes = ? and mtime_ns = ?",
                                 [stat.st_ctime_ns, rel, sha, stat.st_size, stat.st_mtime_ns])
            return result
        earlier = self.con.execute(
            "select status from dq.file_ledger where extract_date = ? and entity = ? and sha256 != ? "
            "order by delivery_id",
            [folder.extract_date, entity_name, sha]).fetchall()
        try:
            if folder.manifest_error:
                raise _Rejected(folder.manifest_error)
            header, error = read_header(path)
            if error:
                raise _Rejected(error)
            positions, extras = _map_header(entity, header)
            entry = (folder.manifest or {}).get(entity_name)
            if entry and entry.sha256 and entry.sha256 != sha:
                raise _Rejected("SHA-256 differs from manifest.csv (the file changed after the manifest was written)")
            delivered = self._read(path, entity_name, len(header))
            if entry and entry.row_count is not None and entry.row_count != delivered:
                raise _Rejected(f"manifest.csv says {entry.row_count} data rows, the file has {delivered}")
        except _Rejected as exc:
            return self._reject(result, sha, folder.manifest_sha256, stat, str(exc))
        notes = []
        if extras:
            notes.append((None, None, "unknown column(s) ignored: " + ", ".join(_shown_name(e) for e in extras)))
        if folder.manifest is not None and entry is None:
            notes.append((None, None, "file is not listed in manifest.csv: loaded without a manifest check"))
        if earlier:
            notes.append((None, None, "re-delivered with different content: loaded as a new delivery "
                           f"(earlier deliveries of this file: {', '.join(s for (s,) in earlier)})"))
        self._load_checked(entity, folder, positions, header, result, sha, stat, delivered, notes)
        return result

    def _known_sha(self, rel: str, stat: os.stat_result) -> str | None:
        """The SHA-256 recorded for this very file, so an unchanged history is not hashed
        again every run. The change time is part of the key: tools that copy a corrected
        file keeping its modification time (cp -p, rsync -t) cannot set it, so a changed
        file of the same size is never mistaken for the one already loaded."""
        row = self.con.execute(
            "select sha256 from dq.file_ledger where file = ? and size_bytes = ? and mtime_ns = ? and ctime_ns = ? "
            "order by delivery_id desc limit 1", [rel, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns]).fetchall()
        return row[0][0] if row else None

    def _read(self, path: Path, entity_name: str, width: int) -> int:
        """Parse the file into temp table _in (all text), CSV-level rejects into _rej, and
        return the number of records delivered.

        A file the reader parses without a broken row is taken as it is. Otherwise it is
        read again from its normalised copy (threec.landing.normalise_records): the reader
        refuses mixed line ends, counts empty lines in the line numbers of its rejects,
        and after a broken quote resumes only at a line end of the file's first style, so
        its own record count could differ from the contract's. Broken rows are rare, so
        the slower copy is paid for seldom."""
        try:
            self._read_csv(path, width)
            good, bad = self._counts()
            if not bad:
                return good
        except duckdb.Error:
            pass
        with self._normalised(path, entity_name) as copy:
            try:
                self._read_csv(copy, width)
            except duckdb.Error as exc:
                raise _Rejected(f"could not be read as CSV: {_reader_reason(exc)}") from None
        return sum(self._counts())

    def _read_csv(self, path: Path, width: int) -> None:
        cols = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
        for t in ("_in", "_rej", "_rej_scan"):
            self.con.execute(f"drop table if exists {t}")
        self.con.execute(
            f"create temp table _in as select * from read_csv({sql_str(str(path))}, columns = {cols}, "
            "header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
            "strict_mode = true, encoding = 'utf-8', store_rejects = true, "
            "rejects_table = '_rej', rejects_scan = '_rej_scan')")

    def _counts(self) -> tuple[int, int]:
        """Records parsed, and records the reader rejected (one reject row per broken field)."""
        return self.con.execute("select (select count(*) from _in), (select count(distinct line) from _rej)").fetchone()

    @contextlib.contextmanager
    def _normalised(self, path: Path, entity_name: str) -> Iterator[Path]:
        """A normalised copy of a delivered file, owner-only and removed straight after
        reading: it holds the same personal data as the delivery."""
        work = self.settings.state_dir / WORK_DIR
        work.mkdir(mode=0o700, parents=True, exist_ok=True)
        copy = work / f"{entity_name}-{os.getpid()}.csv"
        try:
            fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.close(fd)
            normalise_records(path, copy)
            yield copy
        finally:
            copy.unlink(missing_ok=True)

    def _load_checked(self, entity: Entity, folder: ExtractFolder, positions: dict[str, str],
                      header: list[str], result: FileResult, sha: str, stat, delivered: int,
                      notes: list[tuple[int | None, str | None, str]]) -> None:
        con, extract_date = self.con, folder.extract_date
        if con.execute("select count(*) = 0 from _rej").fetchone()[0]:
            # the usual file: the reader kept every record, so its order numbers the rows
            rows = "(select rowid + 1 as _row_number, rowid as _idx, * from _in)"
        else:
            # Good rows get the data-row numbers the CSV-level rejects did not take.
            rows = f"""(
                with rej as (select distinct line - 1 as rn from _rej),
                free as (select range + 1 as rn from range({delivered}) where range + 1 not in (select rn from rej)),
                numbered as (select rn, row_number() over (order by rn) - 1 as idx from free)
                select n.rn as _row_number, i.* from (select rowid as _idx, * from _in) i
                join numbered n on n.idx = i._idx)"""
        con.execute("create or replace temp table _checked as "
                    + checked_sql(entity, self.contract, positions, rows, extract_date))
        id_col = entity.column(entity.id_column)
        con.execute("begin transaction")
        try:
            (delivery_id,) = con.execute("select nextval('dq.delivery_seq')").fetchone()
            common = f"{delivery_id}, date '{extract_date}', {sql_str(entity.name)}, {sql_str(result.file)}"
            stored = ", ".join(stored_sql(c, self.settings.pseudonym_key, self.notes) for c in entity.columns)
            targets = ", ".join(q(c.warehouse_name) for c in (*entity.columns, *self.contract.load_columns))
            # the counts come from the inserts themselves: a count query over raw would
            # scan the whole growing table once per file
            (loaded,) = con.execute(
                f"insert into raw.{q(entity.name)} ({targets}) select {stored}, "
                f"date '{extract_date}', {delivery_id}, _row_number from _checked where _error is null").fetchone()
            self._seal_identifiers(entity, delivery_id)
            (quarantined,) = con.execute(
                f"insert into dq.quarantine select {common}, _row_number, left({raw_ref(id_col)}, 100), "
                "_error['column'], _error['rule'], _error['reason'] from _checked where _error is not null").fetchone()
            colnames = ", ".join(f"'c{i}'" for i in range(len(header)))
            names = ", ".join(sql_str(h.strip().lower()) for h in header)
            (csv_rejects,) = con.execute(f"""insert into dq.quarantine
                select {common}, line - 1, null,
                       coalesce(map_from_entries(list_zip([{colnames}], [{names}]))[any_value(column_name)], '(row)'),
                       'csv_format', {self._csv_reason_sql()} from _rej group by line""").fetchone()
            quarantined += csv_rejects
            for column, condition in nhs_note_sql(entity):
                con.execute(f"insert into dq.ingest_notes select {common}, _row_number, {sql_str(column)}, "
                            "'invalid NHS number (not 10 digits or fails the modulus-11 check): nulled, row loaded', "
                            f"now() from _checked where _error is null and {condition}")
            # grouped, then joined back: a window over the id would sort every row of the file
            con.execute(f"""insert into dq.ingest_notes
                select {common}, c._row_number, {sql_str(entity.id_column)},
                       'id appears ' || d.n || ' times in this file: the greatest last_modified (then the later row) wins',
                       now()
                from _checked as c
                join (select {raw_ref(id_col)} as id, count(*) as n from _checked where _error is null
                      group by all having count(*) > 1) as d on d.id = c.{raw_ref(id_col)}
                where c._error is null""")
            for row_number, column, text in notes:
                con.execute("insert into dq.ingest_notes values (?, ?, ?, ?, ?, ?, ?, now())",
                            [delivery_id, extract_date, entity.name, result.file, row_number, column, text])
            if loaded + quarantined != delivered:
                raise IngestError(f"{result.file}: row accounting broken: {delivered} delivered but "
                                  f"{loaded} loaded + {quarantined} quarantined; nothing of it was kept")
            drift = self._drift_note(delivery_id, delivered) if loaded == 0 else None
            if drift:
                con.execute("insert into dq.ingest_notes values (?, ?, ?, ?, null, ?, ?, now())",
                            [delivery_id, extract_date, entity.name, result.file, drift[0], drift[1]])
            con.execute(f"insert into dq.file_ledger ({LEDGER_COLUMNS}) "
                        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'loaded', ?, ?, ?, now(), ?)",
                        [delivery_id, extract_date, entity.name, result.file, sha, folder.manifest_sha256, stat.st_size,
                         stat.st_mtime_ns, stat.st_ctime_ns, delivered, loaded, quarantined, self.run_id])
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        result.status, result.delivered, result.loaded, result.quarantined = "loaded", delivered, loaded, quarantined
        result.message = drift[1] if drift else ""

    def _drift_note(self, delivery_id: int, delivered: int) -> tuple[str, str] | None:
        """When every row of a file breaks the same rule on the same column, the export has
        most likely changed how it writes that column (a type change): say so once, beside
        the row-by-row quarantine the contract asks for."""
        if delivered < 2:
            return None
        rows = self.con.execute('select "column", rule, count(*) from dq.quarantine where delivery_id = ? '
                                'group by all', [delivery_id]).fetchall()
        if len(rows) != 1 or rows[0][2] != delivered:
            return None
        column, rule, _ = rows[0]
        return column, (f"every row ({delivered:,}) broke rule {rule!r} on column {column!r}: the export may have "
                        f"changed how it writes {column}; fix the export (or its mapping) and re-deliver")

    def _seal_identifiers(self, entity: Entity, delivery_id: int) -> None:
        """Copy the full identifiers of the loaded rows into the identity vault before the
        warehouse commits, so a crash in between leaves the vault ahead (harmless: a
        delivery that never committed is never asked for), never behind."""
        if entity.name != "people":
            return
        nhs, postcode = raw_ref(entity.column("nhs_number")), raw_ref(entity.column("postcode"))
        norm = postcode_norm_sql(postcode)
        batch = self.con.sql(f"""
            select _row_number as row_number, {raw_ref(entity.column(entity.id_column))} as person_id,
                   case when {nhs_valid_sql(nhs)} then {nhs_digits_sql(nhs)} end as nhs_number,
                   case when {postcode} is not null
                        then substr({norm}, 1, length({norm}) - 3) || ' ' || right({norm}, 3) end as postcode
            from _checked where _error is null order by _row_number""").to_arrow_table()
        with open_vault(self.settings.vault_path, self.settings.vault_key, create=True) as vault:
            vault.store(delivery_id, entity.name, batch)

    @staticmethod
    def _csv_reason_sql() -> str:
        whens = " ".join(f"when {sql_str(k)} then {sql_str(v)}" for k, v in CSV_ERRORS.items())
        return (f"'malformed CSV: ' || string_agg(distinct case error_type {whens} "
                "else lower(cast(error_type as varchar)) end, '; ')")

    def _reject(self, result: FileResult, sha: str, manifest_sha: str | None, stat, reason: str) -> FileResult:
        con = self.con
        con.execute("begin transaction")
        try:
            (delivery_id,) = con.execute("select nextval('dq.delivery_seq')").fetchone()
            con.execute("insert into dq.rejected_files values (?, ?, ?, ?, ?, ?, now())",
                        [delivery_id, result.extract_date, result.entity, result.file, sha, reason])
            con.execute(f"insert into dq.file_ledger ({LEDGER_COLUMNS}) "
                        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'rejected', null, 0, 0, now(), ?)",
                        [delivery_id, result.extract_date, result.entity, result.file, sha, manifest_sha,
                         stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, self.run_id])
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        result.status, result.message = "rejected", reason
        return result


def _note_once(con: duckdb.DuckDBPyConnection, extract_date: dt.date | None, file: str, text: str) -> None:
    con.execute("""insert into dq.ingest_notes
        select null, ?, null, ?, null, null, ?, now()
        where not exists (select 1 from dq.ingest_notes where file = ? and note = ? and delivery_id is null)""",
                [extract_date, file, text, file, text])


def ingest(con: duckdb.DuckDBPyConnection, settings: Settings, as_of: dt.date, run_id: str,
           progress=log.info) -> IngestSummary:
    summary = IngestSummary()
    # Copies left by a run that died while reading a file; they hold personal data.
    shutil.rmtree(settings.state_dir / WORK_DIR, ignore_errors=True)
    found = scan(settings.landing_dir, as_of)
    for path, text in found.notes:
        _note_once(con, None, path, text)
        progress(f"landing: {path}: {text}")
    unreadable = [f"{path}: {why}" for path, why in found.unreadable]
    loader = FileLoader(con, settings, run_id)
    for folder in found.folders:
        for name, text in folder.notes:
            _note_once(con, folder.extract_date, f"{folder.path.name}/{name}", text)
        if folder.manifest is not None:
            for entity in sorted(set(folder.manifest) - set(folder.files)):
                _note_once(con, folder.extract_date, f"{folder.path.name}/manifest.csv",
                           f"manifest lists {entity} but the folder has no {entity}.csv")
        for entity in load_contract().entities:  # contract order: reference data first
            if entity not in folder.files:
                continue
            res = loader.load(folder, entity, folder.files[entity])
            summary.files.append(res)
            if res.status == "loaded":
                progress(f"{res.file}: {res.delivered:,} rows: {res.loaded:,} loaded, "
                         f"{res.quarantined:,} quarantined" + (f" ({res.message})" if res.message else ""))
            elif res.status == "rejected":
                progress(f"{res.file}: REJECTED whole: {res.message}")
            elif res.status == "unreadable":
                unreadable.append(f"{res.file}: {res.message}")
    broken = con.execute("""select file from dq.file_ledger where status = 'loaded'
        and rows_delivered != rows_loaded + rows_quarantined""").fetchall()
    if broken:
        raise IngestError("row accounting broken (delivered != loaded + quarantined) for: "
                          + ", ".join(f for (f,) in broken))
    if unreadable:
        # Everything readable is loaded and committed; the run still fails, so nothing is
        # published without these files and someone fixes the access.
        raise IngestError("could not read " + "; ".join(unreadable) + " (in the landing folder "
                          f"{settings.landing_dir}); everything else was loaded. Fix the access and run again.")
    return summary
