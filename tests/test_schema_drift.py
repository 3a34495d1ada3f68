"""Schema drift: the export's columns change under us. Each change is handled as the
contract says (a required column missing rejects the file whole; an unknown column is
ignored and reported once; an optional column missing is null; a value in a new format
breaks its rule row by row) and reported in one clear line naming file and column."""

from __future__ import annotations

import datetime as dt

from threec.ingest import ingest
from threec.warehouse import connect, ensure_schema

from helpers import row, write_csv

D1, D2 = "2025-03-24", "2025-03-25"


def run(ingester, as_of: str = "2025-03-31") -> tuple[object, list[str]]:
    """The real ingest, keeping the progress lines a run prints."""
    lines: list[str] = []
    con = connect(ingester.settings)
    try:
        ensure_schema(con)
        summary = ingest(con, ingester.settings, dt.date.fromisoformat(as_of), "drift", progress=lines.append)
    finally:
        con.close()
    return summary, lines


def test_a_missing_required_column_rejects_the_file_whole_and_the_corrected_file_loads(ingester):
    good = row("requests")
    write_csv(ingester.folder(D1), "requests", [good], header=[h for h in good if h != "route_of_access"])
    summary, lines = run(ingester)
    assert [f.status for f in summary.files] == ["rejected"]
    assert lines == [f"{D1}/requests.csv: REJECTED whole: required column(s) missing from the header: "
                     "route_of_access"]
    assert ingester.query("select reason from dq.rejected_files") == [
        ("required column(s) missing from the header: route_of_access",)]
    run(ingester)  # recorded once, not on every run
    assert ingester.query("select count(*) from dq.rejected_files") == [(1,)]
    write_csv(ingester.folder(D1), "requests", [good])  # the export is fixed and re-delivers
    summary, _ = run(ingester)
    assert [(f.status, f.loaded) for f in summary.files] == [("loaded", 1)]


def test_a_renamed_required_column_is_rejected_naming_both_names(ingester):
    good = row("teams")
    header = ["teamtype" if h == "team_type" else h for h in good]
    write_csv(ingester.folder(D1), "teams", [{**good, "teamtype": good["team_type"]}], header=header)
    summary, lines = run(ingester)
    assert summary.files[0].status == "rejected"
    assert summary.files[0].message == ("required column(s) missing from the header: team_type; "
                                        "the header has unknown column(s) 'teamtype'")
    assert ingester.query("select count(*) from raw.teams union all select count(*) from dq.quarantine") == [
        (0,), (0,)]


def test_a_renamed_optional_column_loads_as_null_and_is_reported_once(ingester):
    good = row("teams")
    header = ["area" if h == "locality" else h for h in good]
    write_csv(ingester.folder(D1), "teams", [{**good, "area": "North"}], header=header)
    summary, _ = run(ingester)
    assert [(f.status, f.loaded, f.quarantined) for f in summary.files] == [("loaded", 1, 0)]
    assert ingester.query("select locality from raw.teams") == [(None,)]
    assert ingester.query("select file, note from dq.ingest_notes") == [
        (f"{D1}/teams.csv", "unknown column(s) ignored: 'area'")]


def test_a_new_column_is_ignored_and_reported_once_per_file(ingester):
    good = row("people")
    write_csv(ingester.folder(D1), "people", [{**good, "religion": "none"}], header=[*good, "religion"])
    write_csv(ingester.folder(D2), "people", [{**good, "religion": "none"}], header=[*good, "religion"])
    run(ingester)
    run(ingester)
    assert ingester.query("select count(*) from raw.people") == [(2,)]
    assert sorted(ingester.query("select file, note from dq.ingest_notes")) == [
        (f"{D1}/people.csv", "unknown column(s) ignored: 'religion'"),
        (f"{D2}/people.csv", "unknown column(s) ignored: 'religion'")]
    columns = {c for (c,) in ingester.query(
        "select column_name from information_schema.columns where table_schema = 'raw' and table_name = 'people'")}
    assert "religion" not in columns, "an unknown column never reaches the warehouse"


def test_a_type_change_quarantines_every_row_and_says_the_format_changed(ingester):
    """The export starts writing dates as DD/MM/YYYY: each row breaks rule `type` (the
    contract's row-by-row quarantine) and the file gets one line saying what changed."""
    rows = [row("requests", request_id=f"R{i}", request_date=f"{10 + i:02d}/01/2025") for i in range(4)]
    write_csv(ingester.folder(D1), "requests", rows)
    summary, lines = run(ingester)
    assert [(f.status, f.loaded, f.quarantined) for f in summary.files] == [("loaded", 0, 4)]
    assert ingester.query('select distinct "column", rule from dq.quarantine') == [("request_date", "type")]
    drift = ("every row (4) broke rule 'type' on column 'request_date': the export may have changed how it "
             "writes request_date; fix the export (or its mapping) and re-deliver")
    assert ingester.query('select "column", note from dq.ingest_notes') == [("request_date", drift)]
    assert lines == [f"{D1}/requests.csv: 4 rows: 0 loaded, 4 quarantined ({drift})"]


def test_a_type_change_of_money_and_booleans_is_quarantined_with_the_value_quoted(ingester):
    write_csv(ingester.folder(D1), "packages", [row("packages", package_id="K1", unit_cost="£20.50"),
                                                row("packages", package_id="K2", is_deleted="yes")])
    run(ingester)
    assert sorted(ingester.query('select record_id, "column", rule, reason from dq.quarantine')) == [
        ("K1", "unit_cost", "type", "'£20.50' is not a number with '.' as the decimal point and no currency symbol"),
        ("K2", "is_deleted", "type", "'yes' is not a boolean (true/Y/1/false/N/0)")]
    notes = ingester.query("select note from dq.ingest_notes")
    assert notes == [], "two different rules on two columns are not a format change"
