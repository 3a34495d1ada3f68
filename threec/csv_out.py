"""CSV files written by DuckDB's COPY that are safe to open in a spreadsheet.

Used where a file runs to millions of rows (the worklist, the finance journey list), where
a Python call per cell would cost more than everything else in the file. Text columns go
through the formula neutraliser as SQL (threec.safe_text); booleans read True/False, as
Python's csv module wrote them before and as spreadsheet users' saved filters expect."""

from __future__ import annotations

from pathlib import Path

from threec.files import FILE_MODE, atomic_path
from threec.safe_text import neutralise_formula_sql
from threec.validation import q


def _cell(name: str, data_type: str) -> str:
    column = q(name)
    if data_type == "VARCHAR":
        return f"{neutralise_formula_sql(column)} as {column}"
    if data_type == "BOOLEAN":
        return f"case when {column} then 'True' when not {column} then 'False' end as {column}"
    return column


def copy_query_to_csv(con, query: str, order_by: str, path: Path, mode: int = FILE_MODE) -> int:
    """Write ``query``'s rows, sorted by ``order_by`` (complete it with a key, so a rerun
    writes the same bytes), to ``path`` with a header row; the file appears whole or not
    at all. Returns the number of rows written."""
    columns = con.execute(f"describe {query}").fetchall()
    select = f"select {', '.join(_cell(c[0], c[1]) for c in columns)} from ({query}) as q order by {order_by}"
    with atomic_path(path, mode) as tmp:
        escaped = str(tmp).replace("'", "''")
        # COPY answers with the number of rows it wrote
        written = con.execute(f"copy ({select}) to '{escaped}' (format csv, header true, quote '\"', escape '\"')"
                              ).fetchone()[0]
    return written
