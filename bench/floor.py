"""The I/O floor: DuckDB reads every delivered CSV (extract folders on or before the
as-of date) into a table of a database file, and does nothing else.

Each file is read the way threec's ingest reads it (every column as text, the
contract's CSV dialect, no type sniffing) into its own table of an on-disk database,
so the floor pays for parsing and for writing the table, as threec does, but for no
validation, versioning, modelling, checks or publishing. No pipeline that must read
these files can beat it on this machine.

    python bench/floor.py --landing DIR --as-of YYYY-MM-DD --db FILE
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path


def header_width(path: Path) -> int:
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        return len(next(csv.reader(fh)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="DuckDB reads every CSV into a table, nothing else")
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--as-of", required=True)
    parser.add_argument("--db", type=Path, required=True)
    args = parser.parse_args(argv)
    import duckdb

    started = time.monotonic()
    args.db.unlink(missing_ok=True)
    con = duckdb.connect(str(args.db))
    files = sorted(f for d in args.landing.iterdir() if d.is_dir() and d.name <= args.as_of
                   for f in d.glob("*.csv") if f.name != "manifest.csv")
    rows = 0
    for i, path in enumerate(files):
        types = "{" + ", ".join(f"'c{k}': 'VARCHAR'" for k in range(header_width(path))) + "}"
        literal = "'" + str(path).replace("'", "''") + "'"
        con.execute(f"create table t{i} as select * from read_csv({literal}, columns = {types}, header = true, "
                    "auto_detect = false, delim = ',', quote = '\"', escape = '\"', encoding = 'utf-8')")
        rows += con.execute(f"select count(*) from t{i}").fetchone()[0]
    con.close()
    print(f"floor: {len(files)} files, {rows:,} rows into {args.db} in {time.monotonic() - started:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
