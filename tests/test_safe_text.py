"""The SQL form of the formula neutraliser (CSV files written by DuckDB's COPY) gives
exactly what the Python form gives, for every start character, with and without leading
spaces, and leaves everything else alone."""

from __future__ import annotations

import duckdb

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
