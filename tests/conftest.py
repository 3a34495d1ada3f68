from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from threec.ingest import ingest
from threec.warehouse import connect, ensure_schema

from helpers import settings_for


class Ingester:
    """Runs the real ingest against a temporary landing folder and warehouse file."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.settings = settings_for(tmp)
        self.landing = self.settings.landing_dir
        self.runs = 0

    def folder(self, date: str) -> Path:
        return self.landing / date

    def run(self, as_of: str = "2025-03-31"):
        self.runs += 1
        con = connect(self.settings)
        try:
            ensure_schema(con)
            return ingest(con, self.settings, dt.date.fromisoformat(as_of), f"test-{self.runs}", progress=lambda m: None)
        finally:
            con.close()

    def query(self, sql: str, params=None) -> list[tuple]:
        con = connect(self.settings, read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()


@pytest.fixture
def ingester(tmp_path: Path) -> Ingester:
    return Ingester(tmp_path)
