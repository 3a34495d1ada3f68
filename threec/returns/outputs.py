"""The files of a return's year, besides the CLD file itself: the validation report (CSV
and a page a performance officer reads in a browser) and one CSV per measure table."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from threec.report.html import CSS, SORT_SCRIPT, e, table
from threec.returns.validation import RuleResult
from threec.returns.year import ReturnYear
from threec.safe_text import neutralise_formula


def _write_rows(path: Path, header: list[str], rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([neutralise_formula(v) for v in row])


def write_validation(con: duckdb.DuckDBPyConnection, results: list[RuleResult], folder: Path,
                     year: ReturnYear, counts: dict[str, int]) -> list[Path]:
    summary = folder / f"validation-{year.label}.csv"
    _write_rows(summary, ["rule_id", "field", "module", "rule", "rows_checked", "rows_failing", "status",
                          "example_event_references"],
                ([r.rule_id, r.field, r.module, r.rule, r.rows_checked, r.rows_failing, r.status,
                  " ".join(r.examples)] for r in results))
    failures = folder / f"validation-failures-{year.label}.csv"
    _write_rows(failures, ["rule_id", "field", "event_reference"],
                con.execute("select rule_id, field, event_reference from cld_failures "
                            "order by rule_id, event_reference").fetchall())
    page = folder / f"validation-{year.label}.html"
    page.write_text(_page(results, year, counts), encoding="utf-8")
    return [summary, failures, page]


def _page(results: list[RuleResult], year: ReturnYear, counts: dict[str, int]) -> str:
    failing = [r for r in results if r.status == "fail"]
    cards = "".join(f'<div class="card">{e(k)}<b>{v:,}</b></div>' for k, v in counts.items())
    cards += (f'<div class="card">rules failing<b class="{"fail" if failing else "ok"}">'
              f'{len(failing)} of {sum(r.status != "not in export" for r in results)}</b></div>')
    body = table(["field", "rule", "rows checked", "rows failing", "status", "first event references"],
                 [[r.field, r.rule, r.rows_checked, r.rows_failing, r.status, " ".join(r.examples)]
                  for r in results])
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Client Level Data validation {e(year.label)}</title><style>{CSS}</style></head><body>
<header><h1>Client Level Data {e(year.label)}: validation</h1>
<p>{e(year.start)} to {e(year.end)}. Every rule of the Release 2 specification threec checks, field by field.
Failing rows are listed by Event_Reference in validation-failures-{e(year.label)}.csv.</p></header>
<main><section><h2>Rows by event type</h2><div class="cards">{cards}</div></section>
<section><h2>Rules</h2>{body}</section></main><script>{SORT_SCRIPT}</script></body></html>"""


def write_measures(con: duckdb.DuckDBPyConnection, folder: Path, year: ReturnYear) -> list[Path]:
    """Every returns.rpt_* table as <name>-<year>.csv (rpt_salt_sts001 -> salt-sts001-2024-25.csv)."""
    written = []
    tables = [t for (t,) in con.execute(
        "select table_name from information_schema.tables where table_catalog = 'wh' "
        "and table_schema = 'returns' and table_name like 'rpt\\_%' escape '\\' order by 1").fetchall()]
    for name in tables:
        rel = con.sql(f'select * from wh.returns."{name}"')
        order = ", ".join(str(i + 1) for i in range(len(rel.columns)))
        path = folder / f"{name[4:].replace('_', '-')}-{year.label}.csv"
        _write_rows(path, rel.columns, con.execute(f'select * from wh.returns."{name}" order by {order}').fetchall())
        written.append(path)
    return written
