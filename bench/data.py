"""Benchmark inputs: a generated council per scale, plus a derived daily delta.

The full export history comes from `threec generate` (folders 2025-03-24 .. 2025-03-31).
The delta is the next day's extract, 2025-04-01, derived from that history as the
contract's delta rules describe it: about 0.5% of all records, most of them new
versions of existing records (a greater last_modified: conversations and packages
closed, delays discharged, corrections, a few deletions) and some new records.
Both live in one landing folder; the full run is `threec run --as-of 2025-03-31`,
which leaves the delta folder out, and the delta run is `threec run --as-of
2025-04-01` on the warehouse the full run left. Generated data is cached: a finished
scale has a `ready.json` written last, so a killed generation is redone, not reused.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FULL_AS_OF = dt.date(2025, 3, 31)
DELTA_DATE = dt.date(2025, 4, 1)
SEED = 3
# Changing how the delta is derived changes the data: bump this so caches are redone.
DELTA_VERSION = 1


@dataclass(frozen=True)
class Scale:
    name: str
    people: int
    conversations: str  # what it is meant to give, for the docs

    @property
    def cache_key(self) -> dict:
        return {"people": self.people, "seed": SEED, "delta_version": DELTA_VERSION,
                "delta_date": DELTA_DATE.isoformat()}


# `threec generate` gives about 3.2 conversations per person (3,000 people -> 9,652),
# so people = conversations / 3.2, rounded.
SCALES = {
    "tiny": Scale("tiny", 400, "about 1,300"),
    "council": Scale("council", 31_000, "about 100,000"),
    "region": Scale("region", 310_000, "about 1 million"),
    "national": Scale("national", 3_100_000, "about 10 million"),
}

# Share of each entity's current records the delta touches: modified (new versions),
# new records, and of the modified ones a few deleted. 0.4% + 0.1% = 0.5%.
MODIFIED_PER_MILLE = 4
NEW_PER_MILLE = 1
DELETED_PER_MODIFIED = 20  # 1 in 20 modified records is a deletion
DELTA_ENTITIES = ("people", "requests", "conversations", "packages", "hospital_delays")


def bench_dir() -> Path:
    return Path(os.environ.get("THREEC_BENCH_DIR") or REPO / "bench" / ".data").expanduser().resolve()


def scale_dir(scale: Scale) -> Path:
    return bench_dir() / scale.name


def landing_dir(scale: Scale) -> Path:
    return scale_dir(scale) / "landing"


def ensure_data(scale: Scale, say=print, env: dict | None = None) -> dict:
    """The scale's landing folder (history + delta), generated once and then reused."""
    root = scale_dir(scale)
    ready = root / "ready.json"
    if ready.exists():
        info = json.loads(ready.read_text())
        if info.get("key") == scale.cache_key:
            say(f"bench: using cached data in {root}")
            return info
        say(f"bench: cached data in {root} was made differently ({info.get('key')}); regenerating")
    shutil.rmtree(root, ignore_errors=True)
    landing = landing_dir(scale)
    landing.parent.mkdir(parents=True, exist_ok=True)
    say(f"bench: generating {scale.people:,} people ({scale.conversations} conversations) into {landing}")
    started = dt.datetime.now()
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "threec"), "generate", "-q", "--people", str(scale.people),
         "--seed", str(SEED), "--landing", str(landing)],
        capture_output=True, text=True, env={**(env or os.environ), "THREEC_DEMO": "1"})
    if proc.returncode != 0:
        raise SystemExit(f"bench: threec generate failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    generated_s = (dt.datetime.now() - started).total_seconds()
    say(f"bench: generated in {generated_s:.0f} s; deriving the {DELTA_DATE} delta")
    delta = derive_delta(landing, FULL_AS_OF, DELTA_DATE)
    info = {
        "key": scale.cache_key,
        "generate_summary": proc.stdout.strip(),
        "generate_s": round(generated_s, 1),
        "full_bytes": folder_bytes(landing, FULL_AS_OF),
        "delta": delta,
    }
    ready.write_text(json.dumps(info, indent=2))
    return info


def folder_bytes(landing: Path, as_of: dt.date) -> int:
    return sum(f.stat().st_size for d in landing.iterdir() if d.is_dir() and d.name <= as_of.isoformat()
               for f in d.iterdir() if f.suffix == ".csv" and f.name != "manifest.csv")


def read_header(path: Path) -> list[str]:
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        return [h.strip().lower() for h in next(csv.reader(fh))]


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _entity_rows_sql(landing: Path, entity: str, columns: list[str], as_of: dt.date) -> str:
    """Every delivered row of an entity up to as_of, text as delivered, under contract names."""
    parts = []
    for folder in sorted(d for d in landing.iterdir() if d.is_dir() and d.name <= as_of.isoformat()):
        path = folder / f"{entity}.csv"
        if not path.exists():
            continue
        header = read_header(path)
        types = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header))) + "}"
        cols = ", ".join(f"c{header.index(c)} as {c}" if c in header else f"cast(null as varchar) as {c}"
                         for c in columns)
        parts.append(f"select {cols}, date '{folder.name}' as _extract_date, row_number() over () as _rn "
                     f"from read_csv({_sql_str(str(path))}, columns = {types}, header = true, "
                     "auto_detect = false, delim = ',', quote = '\"', escape = '\"', ignore_errors = true)")
    return " union all ".join(parts)


# How each entity's sampled records change, as SQL over the latest delivered version
# (text columns `b.*`). New records copy a sampled record under a new id, dated the
# delta day. Columns not named keep their delivered text.
_MODIFY = {
    "people": {"accommodation": "case when accommodation = 'OWN_HOME' then 'FAMILY' else 'OWN_HOME' end"},
    "requests": {"route_of_access": "case when route_of_access = 'COMMUNITY' then 'SELF_FUNDER' else 'COMMUNITY' end"},
    "conversations": {
        # Open ones close on the delta day; closed ones get their huddle and reason recorded.
        "end_date": "coalesce(end_date, '{d1}')",
        "outcome": "case when end_date is null then (case when conversation_type = 'C3' "
                   "then 'SUPPORT_PLAN_AGREED' else 'INFO_ADVICE' end) else outcome end",
        "peer_challenge_date": "case when end_date is null then peer_challenge_date "
                               "else coalesce(peer_challenge_date, end_date) end",
        "escalation_reason": "case when end_date is null then escalation_reason "
                             "else coalesce(escalation_reason, 'OTHER') end",
    },
    "packages": {
        # Ongoing lines end on the delta day; ended ones get a unit-cost correction.
        "end_date": "coalesce(end_date, '{d1}')",
        "unit_cost": "case when end_date is null then unit_cost "
                     "else coalesce(printf('%.2f', try_cast(unit_cost as double) * 1.02), unit_cost) end",
    },
    "hospital_delays": {
        "discharge_date": "coalesce(discharge_date, '{d1}')",
        "reason_code": "case when discharge_date is null then reason_code "
                       "when reason_code = 'A' then 'B' else 'A' end",
    },
}
_NEW = {
    "people": {"person_id": "'PX' || lpad(cast(_k as varchar), 8, '0')"},
    "requests": {"request_id": "'RQX' || lpad(cast(_k as varchar), 9, '0')", "request_date": "'{d1}'"},
    "conversations": {
        "conversation_id": "'CVX' || lpad(cast(_k as varchar), 9, '0')", "conversation_type": "'C1'",
        "start_date": "'{d1}'", "end_date": "null", "outcome": "null", "escalation_reason": "null",
        "escalation_note": "null", "peer_challenge_date": "null",
    },
    "packages": {"package_id": "'PKX' || lpad(cast(_k as varchar), 9, '0')", "start_date": "'{d1}'",
                 "end_date": "null"},
    "hospital_delays": {"delay_id": "'DTX' || lpad(cast(_k as varchar), 8, '0')", "ready_date": "'{d1}'",
                        "discharge_date": "null"},
}


def derive_delta(landing: Path, as_of: dt.date, delta_day: dt.date) -> dict:
    """Write <landing>/<delta_day>/ with manifest; returns rows per entity."""
    import duckdb

    from threec.contract import load_contract

    contract = load_contract()
    out = landing / delta_day.isoformat()
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    d1 = delta_day.isoformat()
    con = duckdb.connect()
    counts: dict[str, dict[str, int]] = {}
    try:
        for entity in DELTA_ENTITIES:
            ent = contract.entities[entity]
            columns = [c.name for c in ent.columns]
            key = ent.id_column
            con.execute(f"create or replace temp table latest as select * exclude (_rn) from ("
                        f"{_entity_rows_sql(landing, entity, columns, as_of)}) where {key} is not null "
                        f"qualify row_number() over (partition by {key} order by _extract_date desc, _rn desc) = 1")
            # md5 of the id picks the same records on every machine and DuckDB version.
            con.execute(f"create or replace temp table picked as select *, "
                        f"cast(md5_number({key}) % 1000000 as bigint) as _bucket from latest")
            mods = {c: e.format(d1=d1) for c, e in _MODIFY[entity].items()}
            news = {c: e.format(d1=d1) for c, e in _NEW[entity].items()}
            stamp = f"'{d1}T' || printf('%02d:%02d:%02d', 8 + _bucket % 9, _bucket % 60, (_bucket // 60) % 60)"
            modified = ", ".join(
                f"{mods.get(c, c)} as {c}" if c not in ("last_modified", "is_deleted") else
                (f"{stamp} as last_modified" if c == "last_modified" else
                 f"case when (_bucket // 1000) % {DELETED_PER_MODIFIED} = 0 "
                 "then 'true' else 'false' end as is_deleted")
                for c in columns)
            new = ", ".join(
                f"{news.get(c, c)} as {c}" if c not in ("last_modified", "is_deleted") else
                (f"{stamp} as last_modified" if c == "last_modified" else "'false' as is_deleted")
                for c in columns)
            cols = ", ".join(columns)
            con.execute(f"""create or replace temp table delta as
                select {cols} from (select {modified} from picked where _bucket % 1000 < {MODIFIED_PER_MILLE})
                union all
                select {cols} from (select {new} from (
                    select *, row_number() over (order by {key}) as _k from picked
                    where _bucket % 1000 >= {MODIFIED_PER_MILLE}
                      and _bucket % 1000 < {MODIFIED_PER_MILLE + NEW_PER_MILLE}))""")
            (n_mod,) = con.execute(f"select count(*) from picked where _bucket % 1000 < {MODIFIED_PER_MILLE}").fetchone()
            (n_all,) = con.execute("select count(*) from delta").fetchone()
            (n_del,) = con.execute("select count(*) from delta where is_deleted = 'true'").fetchone()
            con.execute(f"copy (select * from delta order by {key}) to {_sql_str(str(out / (entity + '.csv')))} "
                        "(header, delimiter ',', quote '\"')")
            counts[entity] = {"records_before": con.execute("select count(*) from latest").fetchone()[0],
                              "modified": n_mod - n_del, "deleted": n_del, "new": n_all - n_mod, "rows": n_all}
    finally:
        con.close()
    _write_manifest(out, {e: c["rows"] for e, c in counts.items()})
    total_rows = sum(c["rows"] for c in counts.values())
    total_records = sum(c["records_before"] for c in counts.values())
    return {"date": d1, "entities": counts, "rows": total_rows, "records_before": total_records,
            "share": round(total_rows / max(total_records, 1), 5)}


def _write_manifest(folder: Path, rows: dict[str, int]) -> None:
    with (folder / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(["entity", "file", "row_count", "sha256"])
        for entity, n in rows.items():
            path = folder / f"{entity}.csv"
            w.writerow([entity, path.name, n, hashlib.sha256(path.read_bytes()).hexdigest()])
