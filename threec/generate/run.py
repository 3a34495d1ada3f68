"""The entry point: simulate chunk by chunk and stream every extract file to disk."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np

from . import council, messy, scenarios
from .extracts import ENTITIES, Plan, day_number, plan_folders, versions
from .render import FileStyle, contract_columns, render
from .simulate import Calendar, Chunk
from .summary import GenerateSummary
from .tables import Table, length, take
from .writer import CsvFile, Written, write_manifest

DEFAULT_CHUNK_SIZE = 100_000
BATCH_ROWS = 50_000
MESSY_RATE = 0.004
NOTED_RATE = 0.003
_TS_STYLES = ("plain", "fraction", "offset", "utc", "mixed")
_BOOL_STYLES = ("truefalse", "YN", "10", "true_blank")
_HEADERS = ("as_is", "upper_spaced", "title", "spaced")

# the first extract shows every dialect variation at least once
_FIRST_EXTRACT_STYLES = {
    "teams": FileStyle(bom=True, drop_is_deleted=True),
    "people": FileStyle(shuffle=True, booleans="YN"),
    "requests": FileStyle(timestamps="fraction", booleans="10", extra_column=("source_system", "CASEWORK-7")),
    "conversations": FileStyle(bom=True, header="upper_spaced", timestamps="mixed"),
    "packages": FileStyle(header="title", timestamps="offset", booleans="true_blank"),
    "hospital_delays": FileStyle(header="spaced", shuffle=True, timestamps="utc", booleans="10"),
}


def _style(seed: int, k: int, entity: str) -> FileStyle:
    if k == 0:
        return _FIRST_EXTRACT_STYLES[entity]
    rng = np.random.default_rng([seed, 7919, k, ENTITIES.index(entity)])
    u = rng.random(6)
    return FileStyle(
        bom=bool(u[0] < 0.3),
        header=_HEADERS[int(np.searchsorted([0.6, 0.75, 0.9], u[1], side="right"))],
        shuffle=bool(u[2] < 0.25),
        timestamps=_TS_STYLES[int(u[3] * len(_TS_STYLES))],
        booleans=_BOOL_STYLES[int(u[4] * len(_BOOL_STYLES))],
    )


def _teams_table(cal: Calendar) -> Table:
    n = len(council.TEAMS)
    created = day_number(council.TEAMS_CREATED)
    return {
        "team": np.arange(n),
        "name": np.array([t.name for t in council.TEAMS], dtype=object),
        "go_live": np.array([-1 if t.go_live is None else day_number(t.go_live) for t in council.TEAMS]),
        "created": np.full(n, min(created, cal.first_day), np.int32),
        "modified": np.full(n, -1, np.int32),
        "created_sec": np.full(n, 9 * 3600, np.int32), "created_ms": np.zeros(n, np.int16),
        "modified_sec": np.zeros(n, np.int32), "modified_ms": np.zeros(n, np.int16),
    }


def generate(
    landing_dir: Path,
    *,
    people: int = 4000,
    seed: int = 3,
    first_extract: date = date(2025, 3, 24),
    last_extract: date = date(2025, 3, 31),
    history_start: date = date(2022, 4, 1),
    progress: Callable[[str], None] | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    messy_rate: float = MESSY_RATE,
) -> GenerateSummary:
    """Write a synthetic council's export history into `landing_dir`.

    Same arguments, same bytes. People are simulated `chunk_size` at a time and every
    extract file is appended to as each chunk finishes, so memory stays flat however
    many people there are (chunk_size is part of the seed: change it and the council
    changes).
    """
    if people < 1:
        raise ValueError("people must be at least 1")
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    if not history_start < first_extract <= last_extract:
        raise ValueError("need history_start < first_extract <= last_extract")
    say = progress or (lambda message: None)
    landing_dir = Path(landing_dir)
    plan = plan_folders(first_extract, last_extract)
    cal = Calendar(day_number(history_start), day_number(first_extract), day_number(last_extract))
    folder_paths = [landing_dir / f.name for f in plan.folders]
    for path in folder_paths:
        path.mkdir(parents=True, exist_ok=True)

    files: dict[tuple[int, str], CsvFile] = {}
    for f in plan.folders:
        for e in f.entities:
            files[(f.index, e)] = CsvFile(folder_paths[f.index], e, contract_columns(e), _style(seed, f.index, e),
                                          np.random.default_rng([seed, 104729, f.index, ENTITIES.index(e)]))
    try:
        records, messy_by_file, noted_by_file, edge_cases, chunks = _stream(
            plan, cal, files, people, seed, chunk_size, messy_rate, say)
    except BaseException:
        for f in files.values():
            f.abandon()
        raise

    written: dict[int, list[Written]] = {f.index: [] for f in plan.folders}
    for (k, e), f in files.items():
        w = f.close(keep_empty=k == 0)
        if w:
            written[k].append(w)
    rejected = None
    if plan.mismatch is not None:
        k, e = plan.mismatch
        names = [w.entity for w in written[k]]
        if e not in names and names:
            e = names[-1]
        if e in names:
            rejected = (k, e)
    messy_rows: Counter = Counter()
    noted_rows: Counter = Counter()
    for key, c in messy_by_file.items():
        if key != rejected:
            messy_rows.update(c)
    for key, c in noted_by_file.items():
        if key != rejected:
            noted_rows.update(c)
    for f in plan.folders:
        folder = folder_paths[f.index]
        if f.manifest:
            wrong = rejected[1] if rejected and rejected[0] == f.index else None
            write_manifest(folder, written[f.index], wrong)
        keep = {w.file for w in written[f.index]} | ({"manifest.csv"} if f.manifest else set())
        for stale in [*(f"{e}.csv" for e in ENTITIES), "manifest.csv"]:
            if stale not in keep:
                (folder / stale).unlink(missing_ok=True)
    rows_written = Counter()
    for ws in written.values():
        for w in ws:
            rows_written[w.entity] += w.rows
    summary = GenerateSummary(
        landing_dir=landing_dir, seed=seed, people=people,
        extract_dates=tuple(f.date for f in plan.folders), extract_folders=len(plan.folders),
        records={e: records.get(e, 0) for e in ENTITIES},
        rows_written={e: rows_written.get(e, 0) for e in ENTITIES},
        messy_rows={k: messy_rows[k] for k in messy.KINDS if messy_rows[k]},
        noted_rows={k: noted_rows[k] for k in messy.NOTED_KINDS if noted_rows[k]},
        rejected_file=None if rejected is None else f"{plan.folders[rejected[0]].name}/{rejected[1]}.csv",
        folders_without_manifest=tuple(f.name for f in plan.folders if not f.manifest),
        subset_folder=None if plan.subset_folder is None else plan.folders[plan.subset_folder].name,
        edge_cases=edge_cases, chunks=chunks,
    )
    say(f"done: {summary.records['conversations']:,} conversations, {summary.messy_total:,} messy rows")
    return summary


def _stream(plan: Plan, cal: Calendar, files: dict[tuple[int, str], CsvFile], people: int, seed: int,
            chunk_size: int, messy_rate: float, say: Callable[[str], None]):
    offsets = {"requests": 0, "conversations": 0, "packages": 0, "hospital_delays": 0}
    records: Counter = Counter()
    messy_by_file: dict[tuple[int, str], Counter] = {}
    noted_by_file: dict[tuple[int, str], Counter] = {}
    edge_cases: dict[str, str] = {}
    chunks = math.ceil(people / chunk_size)
    for ci in range(chunks):
        first = ci * chunk_size
        n = min(chunk_size, people - first)
        chunk = Chunk(np.random.default_rng([seed, ci]), cal, first, n, people)
        chunk.run()
        tables = chunk.finish(offsets)
        if ci == 0:
            tables["teams"] = _teams_table(cal)
        for e, t in tables.items():
            records[e] += length(t)
        vt: list[dict[str, Table]] = []
        for f in plan.folders:
            vt.append({e: versions(e, tables[e], plan.window(f.index, e))
                       for e in f.entities if e in tables})
        del tables, chunk
        protect: list[dict[str, np.ndarray]] = [{} for _ in plan.folders]
        if ci == 0:
            edge_cases = scenarios.plant(plan, vt, protect, np.random.default_rng([seed, 31337]))
            if "entered_twice" in edge_cases:
                records["requests"] += 2
        for f in plan.folders:
            for e, t in vt[f.index].items():
                key = (f.index, e)
                rng = np.random.default_rng([seed, ci, f.index, ENTITIES.index(e), 5])
                guard = protect[f.index].get(e)
                has_flag = "is_deleted" in files[key].columns
                broken: dict[int, str] = {}
                if key != plan.mismatch:
                    extra = 1 if (ci == 0 and f.index > 0 and e in ("people", "conversations", "packages")) else 0
                    broken = messy.select(e, t, rng, messy_rate, 1 if (ci == 0 and f.index == 0) else 0,
                                          guard, has_flag, extra)
                    noted = messy.note_invalid_nhs(t, rng, NOTED_RATE, 2 if (ci == 0 and f.index == 0) else 0,
                                                   set(broken), guard)
                    if noted:
                        noted_by_file.setdefault(key, Counter())["invalid_nhs_number"] += noted
                if broken:
                    messy_by_file.setdefault(key, Counter()).update(broken.values())
                _write(files[key], e, t, broken, rng, f.date)
        say(f"chunk {ci + 1}/{chunks}: people {first + 1:,}-{first + n:,}, "
            f"{offsets['conversations']:,} conversations so far")
    return records, messy_by_file, noted_by_file, edge_cases, chunks


def _write(out: CsvFile, entity: str, t: Table, broken: dict[int, str], rng: np.random.Generator,
           extract_day: date) -> None:
    n = length(t)
    rows = sorted(broken)
    for lo in range(0, n, BATCH_ROWS):
        hi = min(n, lo + BATCH_ROWS)
        cols = render(entity, take(t, slice(lo, hi)), out.style, rng)
        for row in rows:
            if lo <= row < hi:
                messy.apply(entity, cols, row - lo, broken[row], rng, extract_day)
        out.write(cols, hi - lo)
