"""Writing extract files: RFC 4180 CSV, hashed as written, renamed into place when done."""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .render import FileStyle

BOM = "\ufeff".encode("utf-8")


@dataclass(frozen=True)
class Written:
    entity: str
    file: str
    rows: int
    sha256: str


class CsvFile:
    """One entity file in one extract folder, written in parts (one per chunk and batch)."""

    def __init__(self, folder: Path, entity: str, columns: list[str], style: FileStyle, order_rng: np.random.Generator):
        self.entity = entity
        self.style = style
        self.path = folder / f"{entity}.csv"
        self.tmp = folder / f".{entity}.csv.partial"
        cols = [c for c in columns if not (style.drop_is_deleted and c == "is_deleted")]
        if style.shuffle:
            cols = [cols[i] for i in order_rng.permutation(len(cols))]
        self.columns = cols
        header = [style.header_name(c) for c in cols]
        self.extra = style.extra_column
        self.extra_at = min(3, len(cols))
        if self.extra:
            header.insert(self.extra_at, self.extra[0])
        self.rows = 0
        self.sha = hashlib.sha256()
        self.fh = open(self.tmp, "wb")
        if style.bom:
            self._put(BOM)
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerow(header)
        self._put(buf.getvalue().encode("utf-8"))

    def _put(self, data: bytes) -> None:
        self.sha.update(data)
        self.fh.write(data)

    def write(self, cols: dict[str, np.ndarray], n: int) -> None:
        if not n:
            return
        seqs = [cols[c] for c in self.columns]
        if self.extra:
            seqs.insert(self.extra_at, itertools.repeat(self.extra[1], n))
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerows(zip(*seqs))
        self._put(buf.getvalue().encode("utf-8"))
        self.rows += n

    def close(self, keep_empty: bool) -> Written | None:
        self.fh.close()
        if self.rows == 0 and not keep_empty:
            self.tmp.unlink()
            return None
        os.replace(self.tmp, self.path)
        return Written(self.entity, self.path.name, self.rows, self.sha.hexdigest())

    def abandon(self) -> None:
        self.fh.close()
        self.tmp.unlink(missing_ok=True)


def write_manifest(folder: Path, written: list[Written], wrong: str | None = None) -> None:
    """manifest.csv; the entity named `wrong` gets a row count one too high on purpose."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["entity", "file", "row_count", "sha256"])
    for f in written:
        w.writerow([f.entity, f.file, f.rows + (1 if f.entity == wrong else 0), f.sha256])
    tmp = folder / ".manifest.csv.partial"
    tmp.write_bytes(buf.getvalue().encode("utf-8"))
    os.replace(tmp, folder / "manifest.csv")
