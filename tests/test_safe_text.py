"""The SQL form of the formula neutraliser (CSV files written by DuckDB's COPY) gives
exactly what the Python form gives, for every start character, with and without leading
spaces, and leaves everything else alone; the Client Level Data file's writer applies it."""

from __future__ import annotations

import csv

import duckdb

from threec.returns.cld_file import Field, write_cld_csv
from threec.safe_text import FORMULA_STARTS, neutralise_formula, neutralise_formula_sql

SAMPLES = [f"{pad}{start}{tail}" for start in FORMULA_STARTS for pad in ("", " ", "   ") for tail in ("", "1+1", "cmd")]
SAMPLES += ["plain", "", " ", "W-1", "a=b", "\u00a0=1", "'=already", "1-2", "\uff1d", "x\n=1", None]


def test_sql_and_python_neutralise_the_same_texts():
    con = duckdb.connect()
    con.execute("create table t (i integer, v varchar)")
    con.executemany("insert into t values (?, ?)", list(enumerate(SAMPLES)))
    got = dict(con.execute(f"select i, {neutralise_formula_sql('v')} from t").fetchall())
    assert [got[i] for i in range(len(SAMPLES))] == [neutralise_formula(v) for v in SAMPLES]
    assert sum(v is not None and neutralise_formula(v) != v for v in SAMPLES) == len(FORMULA_STARTS) * 9 + 1  # and the lone full-width sign


def test_the_cld_file_neutralises_the_same_texts(tmp_path):
    """write_cld_csv (the statutory CLD file, written by COPY) quote-prefixes exactly the
    texts the Python rule does, leading spaces included."""
    con = duckdb.connect()
    con.execute("create table cld (LA_Person_Unique_Identifier varchar, Event_Start_Date date, "
                "Event_Reference integer, Note varchar)")
    con.executemany("insert into cld values ('P1', date '2025-01-01', ?, ?)",
                    [(i, v) for i, v in enumerate(SAMPLES) if v is not None])
    fields = [Field(i, name, "m", "all", "mandatory", None, "s") for i, name in
              enumerate(["LA_Person_Unique_Identifier", "Event_Start_Date", "Event_Reference", "Note"])]
    write_cld_csv(con, fields, tmp_path / "cld.csv")
    with (tmp_path / "cld.csv").open(encoding="utf-8", newline="") as fh:
        written = {int(r["Event_Reference"]): r["Note"] for r in csv.DictReader(fh)}
    assert written == {i: neutralise_formula(v) for i, v in enumerate(SAMPLES) if v is not None}
