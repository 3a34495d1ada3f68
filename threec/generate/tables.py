"""Column tables: a dict of equal-length numpy arrays, and an append-only accumulator."""

from __future__ import annotations

import numpy as np

Table = dict[str, np.ndarray]


def length(table: Table) -> int:
    return len(next(iter(table.values()))) if table else 0


def take(table: Table, index) -> Table:
    return {k: v[index] for k, v in table.items()}


def concat(tables: list[Table]) -> Table:
    tables = [t for t in tables if t]
    if not tables:
        return {}
    return {k: np.concatenate([t[k] for t in tables]) for k in tables[0]}


class Accumulator:
    """Collects rows in parts; `add` returns the new rows' positions in the final table."""

    def __init__(self, dtypes: dict[str, type | str]):
        self.dtypes = dtypes
        self.parts: list[Table] = []
        self.n = 0

    def add(self, **columns) -> np.ndarray:
        m = None
        for v in columns.values():
            if np.ndim(v):
                m = len(v)
                break
        if m is None:
            raise ValueError("at least one column must be an array")
        part = {}
        for name, dtype in self.dtypes.items():
            value = columns.pop(name, None)
            if value is None:
                part[name] = np.full(m, -1, dtype=dtype) if np.dtype(dtype).kind in "iu" else (
                    np.full(m, np.nan, dtype=dtype) if np.dtype(dtype).kind == "f" else np.zeros(m, dtype=dtype))
            else:
                part[name] = np.broadcast_to(np.asarray(value, dtype=dtype), (m,)).copy()
        if columns:
            raise KeyError(f"unknown columns {sorted(columns)}")
        self.parts.append(part)
        start = self.n
        self.n += m
        return np.arange(start, self.n, dtype=np.int64)

    def table(self) -> Table:
        if not self.parts:
            return {name: np.zeros(0, dtype=dtype) for name, dtype in self.dtypes.items()}
        return concat(self.parts)
