"""What a generate run wrote."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class GenerateSummary:
    landing_dir: Path
    seed: int
    people: int
    extract_dates: tuple[date, ...]
    extract_folders: int
    records: dict[str, int]  # distinct records simulated per entity (all of them delivered somewhere)
    rows_written: dict[str, int]  # data rows written per entity over all folders (versions, messy rows included)
    messy_rows: dict[str, int]  # rows the pipeline must quarantine, by kind (the rejected file's excluded)
    noted_rows: dict[str, int]  # rows that load but are reported, by kind
    rejected_file: str | None  # "<extract_date>/<entity>.csv" whose manifest row is wrong on purpose
    folders_without_manifest: tuple[str, ...] = ()
    subset_folder: str | None = None  # a folder carrying only some entities
    edge_cases: dict[str, str] = field(default_factory=dict)  # delta edge case -> where to find it
    chunks: int = 1

    @property
    def messy_total(self) -> int:
        return sum(self.messy_rows.values())

    def describe(self) -> str:
        lines = [f"{self.people:,} people, seed {self.seed}: {self.extract_folders} extract folders "
                 f"({self.extract_dates[0]} .. {self.extract_dates[-1]}) in {self.landing_dir}"]
        for entity, n in self.records.items():
            lines.append(f"  {entity:<16} {n:>12,} records {self.rows_written.get(entity, 0):>12,} rows")
        lines.append(f"  messy rows (to quarantine): {self.messy_total:,}")
        for kind, n in sorted(self.messy_rows.items()):
            lines.append(f"    {kind:<30} {n:>8,}")
        for kind, n in sorted(self.noted_rows.items()):
            lines.append(f"  noted, loads: {kind} {n:,}")
        if self.rejected_file:
            lines.append(f"  manifest mismatch on purpose: {self.rejected_file}")
        return "\n".join(lines)
