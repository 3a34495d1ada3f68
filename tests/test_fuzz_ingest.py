"""Property-based fuzzing of the real ingest: malformed deliveries never crash it and
never lose a row.

Each generated delivery is a landing folder: an extract folder with some of the six
entity files (any header order and case, extra, missing, renamed or doubled columns),
rows broken in content (impossible dates, negative money, codes in the wrong case, huge
fields, personal-looking values in the wrong column, repeated ids) and in structure
(unbalanced and stray quotes, binary junk, bytes that are not UTF-8, line ends of every
style mixed, empty lines, too many or too few fields), whole files truncated at any
byte, in another encoding, empty or a header only; manifests that match, disagree or
are junk; files of no entity, folders that are not dates and links pointing elsewhere.

The oracle is independent of threec: Python's csv module reads the same bytes (records
split at any line end outside quotes, empty lines not being records) and says how many
records were delivered and what each holds. For every delivered file the real
`threec.ingest.ingest` must then have either loaded it with delivered = loaded +
quarantined, every record number 1..delivered used exactly once (loaded rows carrying
the very id the oracle read at that number), every quarantine row naming file, row,
column and rule; or rejected it whole, when the contract says so (header, encoding of
the header, manifest), with a reason naming the file. Nothing raises, nothing personal
is quoted back, and nothing outside the real extract folders is loaded.

One warehouse (a real DuckDB file) serves every example, each delivery with an extract
date of its own (so one never meets another's ledger entries), which keeps the run within
a few minutes; hypothesis is derandomised and keeps no database,
so every run fuzzes the same cases."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import os
import shutil
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from threec.contract import load_contract
from threec.ingest import ingest
from threec.warehouse import connect, ensure_schema

from helpers import GOOD, sha, settings_for

pytestmark = pytest.mark.xdist_group("fuzz")

# THREEC_FUZZ_EXAMPLES: more (or, while working on ingest, fewer) cases than the suite's.
EXAMPLES = int(os.environ.get("THREEC_FUZZ_EXAMPLES", "1000"))
FIRST_EXTRACT = dt.date(2025, 1, 1)
AS_OF = dt.date(2040, 1, 1)
CONTRACT = load_contract()
ENTITIES = list(CONTRACT.entities)
# Values the fuzzer puts where they do not belong; no message may ever quote them.
PERSONAL = ("9434765919", "943 476 5919", "LS1 4AP", "LS14AP")
csv.field_size_limit(sys.maxsize)


# --- what a delivery is -------------------------------------------------------------

@dataclass
class EntityFile:
    entity: str
    header: list[str]          # as written (case, spaces, extras, duplicates)
    rows: list[list[str]]      # field texts per row, in header order
    structure: list[list[str]]  # per row: structural damage to apply to its bytes
    encoding: str              # utf-8 | utf-8-sig | latin-1 | utf-16
    line_ends: str             # crlf | lf | cr | mixed
    truncate_at: float | None  # fraction of the file kept, or None
    special: str | None        # empty | header_only | None
    junk: list[bytes] = field(default_factory=list)  # binary junk for the structural kinds that use it


@dataclass
class Delivery:
    files: list[EntityFile]
    manifest: str | None       # None | ok | wrong_count | wrong_sha | unlisted | extra_line | junk | no_columns
    extras: list[str]          # landing oddities


# --- strategies ---------------------------------------------------------------------

VALUE_DAMAGE = st.sampled_from([
    "empty", "feb30", "slashes", "negative", "lower", "upper", "huge", "formula", "unicode", "nul", "comma",
    "quotes", "multiline", "paragraph", "padded", "nhs_here", "postcode_here", "boolean_junk", "tab",
])
STRUCTURE_DAMAGE = st.sampled_from([
    "extra_field", "missing_field", "unclosed_quote", "stray_quote", "junk_after_quote", "binary", "bad_utf8",
    "bare_cr", "bare_lf", "blank_before", "spaces_line", "cut_multibyte",
])


def _damaged_value(kind: str, value: str, draw) -> str:
    if kind == "empty":
        return ""
    if kind == "feb30":
        return "2025-02-30"
    if kind == "slashes":
        return "31/01/2025"
    if kind == "negative":
        return "-5.00"
    if kind == "lower":
        return value.lower()
    if kind == "upper":
        return value.upper()
    if kind == "huge":
        return "x" * draw(st.sampled_from([300, 5_000, 70_000, 300_000]))
    if kind == "formula":
        return '=HYPERLINK("http://example.invalid","x")'
    if kind == "unicode":
        return value + " Zoë ☃ \U0001F600"
    if kind == "nul":
        return value + "\x00x"
    if kind == "comma":
        return value + ",more"
    if kind == "quotes":
        return f'say "{value}"'
    if kind == "multiline":
        return value + "\nsecond line"
    if kind == "paragraph":
        return value + "\r\n\r\nnew paragraph"
    if kind == "padded":
        return f"  {value} "
    if kind == "nhs_here":
        return "943 476 5919"
    if kind == "postcode_here":
        return "LS1 4AP"
    if kind == "boolean_junk":
        return "maybe"
    if kind == "tab":
        return "\t" + value
    raise AssertionError(kind)


@st.composite
def entity_files(draw, entity: str) -> EntityFile:
    ent = CONTRACT.entities[entity]
    names = [c.name for c in ent.columns]
    optional = [c.name for c in ent.columns if not c.required]
    required = ent.required_columns
    drop = draw(st.lists(st.sampled_from(optional), unique=True, max_size=3)) if draw(st.booleans()) else []
    columns = [n for n in names if n not in drop]
    header_damage = draw(st.sampled_from(["none"] * 12 + ["missing_required", "renamed", "duplicate", "extra"]))
    if header_damage == "missing_required":
        columns.remove(draw(st.sampled_from(required)))
    elif header_damage == "renamed":
        victim = draw(st.sampled_from(columns))
        columns[columns.index(victim)] = victim.replace("_", "") + "_new"
    elif header_damage == "duplicate":
        columns.append(draw(st.sampled_from(columns)))
    elif header_damage == "extra":
        columns.insert(draw(st.integers(0, len(columns))), "Shoe Size")
    order = draw(st.permutations(columns))
    header = [draw(st.sampled_from([n, n.upper(), f" {n} ", n.title()])) for n in order]

    special = draw(st.sampled_from([None] * 18 + ["empty", "header_only"]))
    n_rows = 0 if special else draw(st.integers(0, 12))
    rows, structure = [], []
    for i in range(n_rows):
        base = dict(GOOD[entity])
        base[ent.id_column] = f"ID{draw(st.integers(0, n_rows)) if draw(st.integers(0, 9)) == 0 else i + 1}"
        values = {}
        for name in dict.fromkeys(order):  # not a set: its order changes with the hash seed
            value = base.get(name, "9" if name == "shoe size" else "")
            if draw(st.integers(0, 7)) == 0:
                value = _damaged_value(draw(VALUE_DAMAGE), value, draw)
            values[name] = value
        rows.append([values[n] for n in order])
        structure.append(draw(st.lists(STRUCTURE_DAMAGE, max_size=2)) if draw(st.integers(0, 5)) == 0 else [])
    return EntityFile(
        entity=entity, header=header, rows=rows, structure=structure,
        encoding=draw(st.sampled_from(["utf-8"] * 6 + ["utf-8-sig", "latin-1", "utf-16"])),
        line_ends=draw(st.sampled_from(["crlf"] * 5 + ["lf"] * 3 + ["cr", "mixed"])),
        truncate_at=draw(st.none() | st.floats(0, 1)) if draw(st.integers(0, 7)) == 0 else None,
        special=special,
        junk=[draw(st.binary(min_size=1, max_size=24)) for _ in range(4)],
    )


@st.composite
def deliveries(draw) -> Delivery:
    chosen = draw(st.lists(st.sampled_from(ENTITIES), min_size=1, max_size=2, unique=True))
    files = [draw(entity_files(e)) for e in chosen]
    manifest = draw(st.sampled_from([None] * 6 + ["ok", "ok", "wrong_count", "wrong_sha", "unlisted", "extra_line",
                                                  "junk", "no_columns"]))
    extras = draw(st.lists(st.sampled_from(["not_a_date", "bad_date", "loose_file", "date_link_inside",
                                            "date_link_outside", "file_link", "unknown_entity", "wrong_case_file"]),
                           unique=True, max_size=3)) if draw(st.integers(0, 3)) == 0 else []
    return Delivery(files, manifest, extras)


# --- writing the bytes ----------------------------------------------------------------

def _field_bytes(text: str, encoding: str) -> bytes:
    if any(c in text for c in ',"\r\n'):
        text = '"' + text.replace('"', '""') + '"'
    return text.encode("latin-1", "replace") if encoding == "latin-1" else text.encode("utf-8")


def _record_bytes(fields: list[str], damage: list[str], encoding: str, junk: list[bytes]) -> tuple[bytes, bytes]:
    """(bytes before the record, the record's bytes) with structural damage applied."""
    parts = [_field_bytes(f, encoding) for f in fields]
    before = b""
    for k, kind in enumerate(damage):
        i = (k * 7 + len(parts)) % len(parts)
        if kind == "extra_field":
            parts.append(b"extra")
        elif kind == "missing_field" and len(parts) > 1:
            parts.pop()
        elif kind == "unclosed_quote":
            parts[i] = b'"' + parts[i]
        elif kind == "stray_quote":
            parts[i] = b"x" + parts[i] + b'"y'
        elif kind == "junk_after_quote":
            parts[i] = b'"' + parts[i].replace(b'"', b'""') + b'"junk'
        elif kind == "binary":
            parts[i] += junk[k % len(junk)]
        elif kind == "bad_utf8":
            parts[i] += b"\xff\xe9"
        elif kind == "cut_multibyte":
            parts[i] += b"\xe2\x82"
        elif kind == "bare_cr":
            parts[i] += b"\rsplit"
        elif kind == "bare_lf":
            parts[i] += b"\nsplit"
        elif kind == "blank_before":
            before += b"\r\n"
        elif kind == "spaces_line":
            before += b"   \r\n"
    return before, b",".join(parts)


def file_bytes(f: EntityFile) -> bytes:
    if f.special == "empty":
        return b""
    ends = {"crlf": [b"\r\n"], "lf": [b"\n"], "cr": [b"\r"], "mixed": [b"\r\n", b"\n", b"\r"]}[f.line_ends]
    header = b",".join(_field_bytes(h, "utf-8") for h in f.header)
    out = [header + ends[0]]
    for i, (fields, damage) in enumerate(zip(f.rows, f.structure)):
        before, record = _record_bytes(fields, damage, f.encoding, f.junk)
        out.append(before + record + ends[(i + 1) % len(ends)])
    data = b"".join(out)
    if f.encoding == "utf-16":
        data = data.decode("utf-8", "replace").encode("utf-16")
    elif f.encoding == "utf-8-sig":
        data = b"\xef\xbb\xbf" + data
    if f.truncate_at is not None:
        data = data[:int(len(data) * f.truncate_at)]
    return data


# --- the oracle ---------------------------------------------------------------------

@dataclass
class Expected:
    reject: str | None              # why the whole file must be rejected, or None
    records: list[list[str]]        # data records as Python's csv module reads them


def oracle(data: bytes, entity: str, manifest_says_reject: bool) -> Expected:
    text = data.decode("utf-8-sig", "surrogateescape")
    records = [r for r in csv.reader(io.StringIO(text, newline=""))]
    header = records[0] if records else []
    body = [r for r in records[1:] if r != []]
    if manifest_says_reject:
        return Expected("manifest", body)
    if not header or all(not h.strip() for h in header):
        return Expected("no header", body)
    if any("\udc80" <= c <= "\udcff" for h in header for c in h):
        return Expected("header not UTF-8", body)
    names = [h.strip().lower() for h in header]
    if len(set(names)) != len(names):
        return Expected("duplicate column", body)
    if set(CONTRACT.entities[entity].required_columns) - set(names):
        return Expected("required column missing", body)
    return Expected(None, body)


# --- materialising a delivery on disk -------------------------------------------------

def write_delivery(d: Delivery, root: Path, n: int) -> tuple[Path, dict[str, tuple[bytes, bool]], list[str]]:
    """Write delivery number ``n``'s landing folder; returns it, {entity: (bytes, manifest
    rejects it)} and the names of landing oddities that must be noted, never loaded (each
    unique to the delivery, as a note is made once per name)."""
    landing = root / "landing"
    day = FIRST_EXTRACT + dt.timedelta(days=2 * n)
    extract = day.isoformat()
    folder = landing / extract
    folder.mkdir(parents=True)
    written: dict[str, tuple[bytes, bool]] = {}
    for f in d.files:
        data = file_bytes(f)
        (folder / f"{f.entity}.csv").write_bytes(data)
        written[f.entity] = (data, False)
    if d.manifest:
        lines = ["entity,file,row_count,sha256"]
        for k, (entity, (data, _)) in enumerate(written.items()):
            count = len(oracle(data, entity, False).records)
            digest = sha(folder / f"{entity}.csv")
            first = k == 0
            if d.manifest == "wrong_count" and first:
                count += 1
                written[entity] = (data, True)
            if d.manifest == "wrong_sha" and first:
                digest = "0" * 64
                written[entity] = (data, True)
            if d.manifest == "unlisted" and first:
                continue
            lines.append(f"{entity},{entity}.csv,{count},{digest}")
        if d.manifest == "extra_line":
            lines.append("staff,staff.csv,3," + "1" * 64)
        manifest = folder / "manifest.csv"
        if d.manifest == "junk":
            manifest.write_bytes(b"\xff\xfe\x00junk\x00" * 10)
        elif d.manifest == "no_columns":
            manifest.write_text("what,ever\n1,2\n")
        else:
            manifest.write_text("\n".join(lines) + "\n")
        if d.manifest in ("junk", "no_columns"):
            written = {e: (data, True) for e, (data, _) in written.items()}
    oddities = []
    outside = root / "outside"
    outside.mkdir()
    (outside / "teams.csv").write_text(",".join(GOOD["teams"]) + "\n" + ",".join(GOOD["teams"].values()) + "\n")
    for extra in d.extras:
        if extra == "not_a_date":
            (landing / f"latest-{n}").mkdir()
            shutil.copy(outside / "teams.csv", landing / f"latest-{n}" / "teams.csv")
            oddities.append(f"latest-{n}")
        elif extra == "bad_date":
            bad = f"{2000 + n // 28:04d}-13-{n % 28 + 1:02d}"
            (landing / bad).mkdir()
            shutil.copy(outside / "teams.csv", landing / bad / "teams.csv")
            oddities.append(bad)
        elif extra == "loose_file":
            shutil.copy(outside / "teams.csv", landing / f"teams-{n}.csv")
            oddities.append(f"teams-{n}.csv")
        elif extra == "date_link_inside":
            os.symlink(folder, landing / (day + dt.timedelta(days=1)).isoformat())
            oddities.append((day + dt.timedelta(days=1)).isoformat())
        elif extra == "date_link_outside":
            os.symlink(outside, landing / (day - dt.timedelta(days=1)).isoformat())
            oddities.append((day - dt.timedelta(days=1)).isoformat())
        elif extra == "file_link":
            for entity in ENTITIES:
                if entity not in written:
                    os.symlink(outside / "teams.csv", folder / f"{entity}.csv")
                    oddities.append(f"{extract}/{entity}.csv")
                    break
        elif extra == "unknown_entity":
            shutil.copy(outside / "teams.csv", folder / "staff.csv")
            oddities.append(f"{extract}/staff.csv")
        elif extra == "wrong_case_file":
            shutil.copy(outside / "teams.csv", folder / "Teams.csv")
            oddities.append(f"{extract}/Teams.csv")
    return landing, written, oddities


# --- checking one delivery ------------------------------------------------------------

@dataclass
class Stats:
    deliveries: int = 0
    files: int = 0
    loaded: int = 0
    rejected: int = 0
    rows_delivered: int = 0
    rows_quarantined: int = 0
    tracebacks: int = 0
    lost_rows: int = 0
    failures: list[str] = field(default_factory=list)


def _fetch(con, sql: str, params=()) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def check_delivery(con, settings, d: Delivery, root: Path, n: int, stats: Stats) -> list[str]:
    landing, written, oddities = write_delivery(d, root, n)
    extract = (FIRST_EXTRACT + dt.timedelta(days=2 * n)).isoformat()
    run_id = f"fuzz-{n}"
    problems: list[str] = []
    try:
        summary = ingest(con, dataclasses.replace(settings, landing_dir=landing), AS_OF, run_id,
                         progress=lambda _m: None)
    except Exception:  # noqa: BLE001 - any exception at all is what this test is looking for
        stats.tracebacks += 1
        return ["ingest raised:\n" + traceback.format_exc()]
    stats.deliveries += 1
    results = {r.entity: r for r in summary.files}
    if set(results) != set(written):
        problems.append(f"files handled {sorted(results)} != files delivered {sorted(written)}")
    ledger = {f: (delivery, status, counts) for f, delivery, status, *counts in _fetch(
        con, "select file, delivery_id, status, rows_delivered, rows_loaded, rows_quarantined from dq.file_ledger "
             "where run_id = ?", [run_id])}
    stray = set(ledger) - {f"{extract}/{e}.csv" for e in written}
    if stray:
        problems.append(f"files outside the real extract folder were recorded: {sorted(stray)}")
    for entity, (data, manifest_rejects) in written.items():
        res = results.get(entity)
        rel = f"{extract}/{entity}.csv"
        if res is None or rel not in ledger:
            problems.append(f"{rel}: no result or no ledger entry")
            continue
        stats.files += 1
        delivery_id, status, counts = ledger[rel]
        exp = oracle(data, entity, manifest_rejects)
        ent = CONTRACT.entities[entity]
        loaded = _fetch(con, f'select _row_number, "{ent.id_column}" from raw.{entity} where _delivery_id = ?',
                        [delivery_id])
        quarantined = _fetch(con, 'select row_number, record_id, "column", rule, reason, file from dq.quarantine '
                                  'where delivery_id = ?', [delivery_id])
        if exp.reject:
            if res.status != "rejected" or status != "rejected":
                problems.append(f"{rel}: expected a whole-file rejection ({exp.reject}), got {res.status}")
                continue
            stats.rejected += 1
            reasons = _fetch(con, "select reason from dq.rejected_files where delivery_id = ?", [delivery_id])
            if len(reasons) != 1 or not reasons[0][0] or reasons[0][0] != res.message:
                problems.append(f"{rel}: rejected without exactly one dq.rejected_files reason: {reasons}")
            if loaded or quarantined:
                problems.append(f"{rel}: rejected whole but {len(loaded)} rows loaded, {len(quarantined)} quarantined")
            continue
        if res.status != "loaded":
            problems.append(f"{rel}: should load row by row, got {res.status}: {res.message}")
            stats.lost_rows += len(exp.records)
            continue
        stats.loaded += 1
        delivered = len(exp.records)
        stats.rows_delivered += delivered
        stats.rows_quarantined += len(quarantined)
        if (res.delivered, len(loaded) + len(quarantined)) != (delivered, delivered) or \
                counts != [delivered, len(loaded), len(quarantined)]:
            problems.append(f"{rel}: oracle delivered {delivered}; ingest: delivered {res.delivered}, "
                            f"{len(loaded)} rows in raw + {len(quarantined)} in dq.quarantine, ledger {counts}")
            stats.lost_rows += max(0, delivered - len(loaded) - len(quarantined))
        header = [h.strip().lower() for h in next(csv.reader(io.StringIO(
            data.decode("utf-8-sig", "surrogateescape"), newline="")))]
        id_idx = header.index(ent.id_column)
        numbers = sorted([r for r, _ in loaded] + [q[0] for q in quarantined])
        if numbers != list(range(1, delivered + 1)):
            problems.append(f"{rel}: row numbers used {numbers[:20]} are not 1..{delivered} once each")
        for number, record_id in loaded:
            got = exp.records[number - 1] if 0 < number <= delivered else None
            if got is None or len(got) <= id_idx or got[id_idx] != record_id:
                problems.append(f"{rel}: loaded row {number} has id {record_id!r}; the file's record {number} "
                                f"is {(got or [])[:3]!r}")
                break
        for number, record_id, column, rule, reason, file in quarantined:
            if not (file == rel and number and column and rule and reason):
                problems.append(f"{rel}: quarantine row without file/row/column/rule/reason: "
                                f"{(file, number, column, rule, reason)!r}")
            if record_id is not None:
                got = exp.records[number - 1] if 0 < number <= delivered else []
                if len(got) <= id_idx or got[id_idx][:100] != record_id:
                    problems.append(f"{rel}: quarantined row {number} names record {record_id!r}, the file's "
                                    f"record {number} is {got[:3]!r}")
        ids = [i for _, i in loaded]
        wanted = {r for r, i in loaded if ids.count(i) > 1}
        noted = {r for (r,) in _fetch(con, 'select row_number from dq.ingest_notes where delivery_id = ? '
                                           'and "column" = ?', [delivery_id, ent.id_column])}
        if not wanted <= noted:
            problems.append(f"{rel}: repeated ids at rows {sorted(wanted - noted)} not noted")
    texts = [t for (t,) in _fetch(con, """
        select reason from dq.quarantine where extract_date = ? union all
        select reason from dq.rejected_files where extract_date = ? union all
        select note from dq.ingest_notes where extract_date = ? or extract_date is null""", [extract] * 3)]
    texts += [r.message for r in summary.files]
    for text in texts:
        if any(p in (text or "") for p in PERSONAL) or "Traceback" in (text or ""):
            problems.append(f"a message quotes personal data or a traceback: {text[:200]!r}")
    noted_files = {f for (f,) in _fetch(con, "select file from dq.ingest_notes where extract_date = ? "
                                             "or extract_date is null", [extract])}
    for odd in oddities:
        if odd not in noted_files:
            problems.append(f"landing oddity {odd} was not noted")
    return problems


@pytest.fixture(scope="module")
def fuzz_warehouse(tmp_path_factory):
    base = tmp_path_factory.mktemp("fuzz")
    settings = settings_for(base)
    con = connect(settings)
    ensure_schema(con)
    yield base, settings, con
    con.close()


def test_malformed_deliveries_never_crash_and_never_lose_a_row(fuzz_warehouse, capsys):
    base, settings, con = fuzz_warehouse
    stats = Stats()
    counter = iter(range(10**9))

    @FUZZ_SETTINGS
    @given(deliveries())
    def one(d: Delivery) -> None:
        n = next(counter)
        root = base / f"d{n}"
        try:
            problems = check_delivery(con, settings, d, root, n, stats)
        finally:
            shutil.rmtree(root, ignore_errors=True)
        assert not problems, "\n".join(problems[:10])

    one()
    line = (f"fuzz: {stats.deliveries} deliveries, {stats.files} files ({stats.loaded} loaded row by row, "
            f"{stats.rejected} rejected whole), {stats.rows_delivered} rows delivered, {stats.rows_quarantined} "
            f"quarantined; tracebacks {stats.tracebacks}, lost rows {stats.lost_rows}")
    with capsys.disabled():
        print("\n" + line)
    assert stats.deliveries >= min(1000, EXAMPLES), line
    assert stats.tracebacks == 0 and stats.lost_rows == 0, line
    assert stats.rejected > 0 and stats.rows_quarantined > 0, "the fuzzer must reach both outcomes: " + line


FUZZ_SETTINGS = hypothesis_settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                              print_blob=False,
                              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                     HealthCheck.large_base_example])
