"""Writing output files so a reader never sees half of one, with the permissions each
kind of output gets.

Published outputs (marts, the data-quality report, the finance workbook) are for the
owner and the BI readers' group: folders 0750, files 0640, never anything for others.
Statutory returns hold NHS numbers: owner only, folders 0700, files 0600."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

DIR_MODE, FILE_MODE = 0o750, 0o640
PRIVATE_DIR_MODE, PRIVATE_FILE_MODE = 0o700, 0o600
# Every file a step creates without an explicit mode (DuckDB's Parquet, Great
# Expectations' Data Docs, dbt's target and logs, the warehouse) gets at most 0640/0750.
STEP_UMASK = 0o027


@contextlib.contextmanager
def restricted_umask(mask: int = STEP_UMASK) -> Iterator[None]:
    """Create files during a pipeline step with no permission for others (and no group
    write), whatever the umask of the shell or the Airflow worker that started it."""
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def ensure_dir(path: Path, mode: int = DIR_MODE) -> Path:
    """Create ``path`` (and parents) and set its mode, also when it already existed with a
    looser one from an older version or another tool."""
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, mode)
    return path


def private_dir(path: Path) -> Path:
    return ensure_dir(path, PRIVATE_DIR_MODE)


@contextlib.contextmanager
def atomic_path(path: Path, mode: int = FILE_MODE) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success give it ``mode`` and rename it
    into place in one step, on failure remove it and leave any previous file untouched."""
    tmp = path.with_name(f".{path.name}.partial")
    try:
        yield tmp
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write_text(path: Path, text: str, mode: int = FILE_MODE) -> None:
    with atomic_path(path, mode) as tmp:
        tmp.write_text(text, encoding="utf-8")


def atomic_write_bytes(path: Path, data: bytes, mode: int = FILE_MODE) -> None:
    with atomic_path(path, mode) as tmp:
        tmp.write_bytes(data)
