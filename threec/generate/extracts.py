"""Cutting the simulated history into extract folders: full history, then daily deltas.

The first folder holds every record created up to its date, each as it stood that
day. Each later folder holds every record created or changed since the previous
folder that carries that entity, as it stood on the folder's date. A record's
"late" fields (an end date, an outcome, a date of death, ...) are only there once
the change that wrote them has happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from .practice import C3
from .tables import Table, take

ENTITIES = ("people", "teams", "requests", "conversations", "packages", "hospital_delays")
EPOCH = date(1970, 1, 1)


def day_number(d: date) -> int:
    return (d - EPOCH).days


@dataclass(frozen=True)
class Folder:
    index: int
    date: date
    entities: tuple[str, ...]  # entities this folder may carry
    manifest: bool

    @property
    def day(self) -> int:
        return day_number(self.date)

    @property
    def name(self) -> str:
        return self.date.isoformat()


@dataclass(frozen=True)
class Plan:
    """Which folder does what: special cases are pinned to folders by position."""

    folders: tuple[Folder, ...]
    subset_folder: int | None  # a folder carrying only some entities
    no_manifest_folder: int | None
    mismatch: tuple[int, str] | None  # (folder, entity) whose manifest row is wrong on purpose

    def delta(self, k: int) -> int | None:
        """The k-th delta folder (1-based), or the last one when there are fewer."""
        if len(self.folders) < 2:
            return None
        return min(k, len(self.folders) - 1)

    def carrying(self, k: int, entity: str) -> int | None:
        """Folder k, or the next one that carries `entity`."""
        for f in self.folders[k:]:
            if entity in f.entities:
                return f.index
        return None

    def window(self, k: int, entity: str) -> tuple[int | None, int] | None:
        """(lower, upper] day window of changes folder k delivers for `entity`;
        lower None = full history. None when the folder does not carry it."""
        f = self.folders[k]
        if entity not in f.entities:
            return None
        if k == 0:
            return None, f.day
        prev = max(g.index for g in self.folders[:k] if entity in g.entities)
        return self.folders[prev].day, f.day


SUBSET_ENTITIES = ("people", "requests", "conversations")


def plan_folders(first: date, last: date) -> Plan:
    if last < first:
        raise ValueError("last_extract is before first_extract")
    n = (last - first).days + 1
    subset = n - 2 if n >= 4 else None
    no_manifest = 3 if n >= 5 else None
    folders = []
    for i in range(n):
        if i == 0:
            ents = ENTITIES
        elif i == subset:
            ents = SUBSET_ENTITIES
        else:
            ents = tuple(e for e in ENTITIES if e != "teams" or i == 1)
        folders.append(Folder(i, first + timedelta(days=i), ents, manifest=i != no_manifest))
    mismatch = (2, "hospital_delays") if n >= 3 else None
    return Plan(tuple(folders), subset, no_manifest, mismatch)


def versions(entity: str, table: Table, window: tuple[int | None, int]) -> Table:
    """The version of each record that a folder with this window delivers."""
    lower, upper = window
    created, modified = table["created"], table["modified"]
    if lower is None:
        sel = created <= upper
    else:
        sel = ((created > lower) & (created <= upper)) | (
            (modified > lower) & (modified <= upper) & (created <= lower))
    out = take(table, np.flatnonzero(sel))
    modded = (out["modified"] >= 0) & (out["modified"] <= upper)
    out["lm_day"] = np.where(modded, out["modified"], out["created"]).astype(np.int32)
    out["lm_sec"] = np.where(modded, out["modified_sec"], out["created_sec"]).astype(np.int32)
    out["lm_ms"] = np.where(modded, out["modified_ms"], out["created_ms"]).astype(np.int16)
    out["deleted"] = np.zeros(len(modded), bool)
    pending = ~modded
    if entity == "people":
        out["dod"] = np.where(pending, -1, out["dod"])
    elif entity == "conversations":
        out["end"] = np.where(pending, -1, out["end"])
        out["outcome"] = np.where(pending, -1, out["outcome"])
        written_at_end = pending & (out["ctype"] != C3)
        for col in ("reason", "note", "peer"):
            out[col] = np.where(written_at_end, -1, out[col])
    elif entity == "packages":
        out["end"] = np.where(pending & (out["modified"] >= 0), -1, out["end"])
    elif entity == "hospital_delays":
        out["discharge"] = np.where(pending & (out["modified"] >= 0), -1, out["discharge"])
    return out
