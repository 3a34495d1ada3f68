"""The finance outputs end to end: a generated council through the real pipeline, then
the workbook (threec.finance.write_finance_workbook) read back from its XML - the summary
equals marts.rpt_savings, no cell holds a formula, text that looks like a formula stays
text even in LibreOffice - and converted to PDF by LibreOffice headless.

The xlsx is read with the standard library (zipfile + ElementTree): openpyxl is not a
dependency of threec."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from threec.finance import write_finance_workbook
from threec.finance.workbook import FORMULA_STARTS, MONEY_FORMAT, journeys_csv_path
from threec.warehouse import connect

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("checks")]

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


# --- a small xlsx reader ---------------------------------------------------------------

@dataclass
class Cell:
    value: object  # str, float, bool or None
    style: int
    has_formula: bool


def _text(element) -> str:
    """The text of a string item, with OOXML's _xHHHH_ escapes (control characters) decoded."""
    raw = "".join(t.text or "" for t in element.iter(f"{M}t"))
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), raw)


def _col_index(ref: str) -> tuple[int, int]:
    letters, digits = re.match(r"([A-Z]+)(\d+)", ref).groups()
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(digits) - 1, col - 1


class Xlsx:
    """Sheets as {(row, col): Cell} (0-based), with the styles' number formats and quote prefixes."""

    def __init__(self, path: Path):
        with zipfile.ZipFile(path) as z:
            self.parts = {n: z.read(n) for n in z.namelist()}
        shared = []
        if "xl/sharedStrings.xml" in self.parts:
            for si in ET.fromstring(self.parts["xl/sharedStrings.xml"]).iter(f"{M}si"):
                shared.append(_text(si))
        styles = ET.fromstring(self.parts["xl/styles.xml"])
        formats = {int(n.get("numFmtId")): n.get("formatCode") for n in styles.iter(f"{M}numFmt")}
        xfs = styles.find(f"{M}cellXfs")
        self.number_format = [formats.get(int(x.get("numFmtId", 0)), "General") for x in xfs]
        self.quote_prefix = [x.get("quotePrefix") in ("1", "true") for x in xfs]
        rels = {r.get("Id"): r.get("Target") for r in ET.fromstring(self.parts["xl/_rels/workbook.xml.rels"]).iter(PKG_REL)}
        self.sheet_xml: dict[str, bytes] = {}
        self.sheets: dict[str, dict[tuple[int, int], Cell]] = {}
        for sheet in ET.fromstring(self.parts["xl/workbook.xml"]).iter(f"{M}sheet"):
            target = rels[sheet.get(R_ID)].lstrip("/")
            target = target if target.startswith("xl/") else f"xl/{target}"
            xml = self.parts[target]
            self.sheet_xml[sheet.get("name")] = xml
            cells = {}
            for c in ET.fromstring(xml).iter(f"{M}c"):
                kind, v = c.get("t", "n"), c.find(f"{M}v")
                text = None if v is None else v.text
                if kind == "s":
                    value = shared[int(text)]
                elif kind == "inlineStr":
                    value = _text(c)
                elif kind == "b":
                    value = text == "1"
                elif kind in ("str", "e"):
                    value = text
                else:
                    value = None if text is None else float(text)
                cells[_col_index(c.get("r"))] = Cell(value, int(c.get("s", 0)), c.find(f"{M}f") is not None)
            self.sheets[sheet.get("name")] = cells

    def table(self, sheet: str, first_header: str) -> tuple[int, list[str], list[dict[str, Cell]]]:
        """The header row (found by its first cell) and the rows under it, as dicts by header."""
        cells = self.sheets[sheet]
        header_row = next(r for (r, c), cell in sorted(cells.items()) if c == 0 and cell.value == first_header)
        headers = []
        while (header_row, len(headers)) in cells:
            headers.append(cells[(header_row, len(headers))].value)
        rows, r = [], header_row + 1
        while (r, 0) in cells and cells[(r, 0)].value not in (None, ""):
            rows.append({h: cells.get((r, i), Cell(None, 0, False)) for i, h in enumerate(headers)})
            r += 1
        return header_row, headers, rows


# --- fixtures --------------------------------------------------------------------------

def test_libreoffice_is_installed_by_the_setup():
    assert SOFFICE, "make test installs Debian's libreoffice-calc-nogui (scripts/system-packages.sh)"


@pytest.fixture(scope="module")
def warehouse(built_council):
    """The real pipeline (ingest, dbt build with every unit and data test, checks, publish)
    over the small council's whole history."""
    return built_council[0]


def test_the_run_publishes_the_workbook(workbook):
    assert workbook.is_file() and workbook.stat().st_size > 10_000
    assert journeys_csv_path(workbook).is_file()
    leftovers = [p.name for p in workbook.parent.iterdir() if not re.fullmatch(
        r"threec-finance-\d{4}-\d{2}-\d{2}(\.xlsx|-journeys\.csv)", p.name)]
    assert not leftovers, f"the finance folder holds more than workbooks and journey lists: {leftovers}"


@pytest.fixture(scope="module")
def workbook(warehouse, small_council) -> Path:
    """The workbook the run published (not a second copy written by the test)."""
    return warehouse.output_dir / "finance" / f"threec-finance-{small_council.last_extract}.xlsx"


@pytest.fixture(scope="module")
def book(workbook) -> Xlsx:
    return Xlsx(workbook)


def _query(settings, sql: str) -> list[dict]:
    con = connect(settings, read_only=True)
    try:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]
    finally:
        con.close()


def _soffice(*args: str, cwd: Path) -> None:
    profile = (cwd / "lo-profile").as_uri()
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", *args],
                   cwd=cwd, check=True, capture_output=True, timeout=180)


# --- the summary is rpt_savings --------------------------------------------------------

# Summary header -> (saving_type, rpt_savings column): both parts side by side.
SUMMARY_MAP = {
    "Existing clients: cashable full-year effect": ("existing_client_fye", "amount"),
    "Journeys counted": ("existing_client_fye", "journeys"),
    "Journeys with lower cost": ("existing_client_fye", "journeys_cost_down"),
    "Journeys with higher cost": ("existing_client_fye", "journeys_cost_up"),
    "Weekly cost the day before (sum)": ("existing_client_fye", "weekly_cost_before"),
    "Weekly cost 28 days after the end (sum)": ("existing_client_fye", "weekly_cost_after"),
    "New clients: cost avoidance against the baseline": ("new_client_avoidance", "amount"),
    "Baseline new-client requests": ("new_client_avoidance", "baseline_new_client_requests"),
    "Baseline: led to long-term support": ("new_client_avoidance", "baseline_led_to_long_term_support"),
    "Baseline share": ("new_client_avoidance", "baseline_share"),
    "Baseline mean annualised cost": ("new_client_avoidance", "baseline_mean_annualised_cost"),
    "Baseline cost per new request": ("new_client_avoidance", "baseline_cost_per_request"),
    "Year's new-client requests": ("new_client_avoidance", "new_client_requests"),
    "Year: led to long-term support": ("new_client_avoidance", "led_to_long_term_support"),
    "Year's share": ("new_client_avoidance", "actual_share"),
    "Year's mean annualised cost": ("new_client_avoidance", "actual_mean_annualised_cost"),
    "Year's cost per new request": ("new_client_avoidance", "actual_cost_per_request"),
}


def _same(cell_value, expected) -> bool:
    if expected is None:
        return cell_value is None
    if isinstance(expected, (dt.date, dt.datetime)):
        day = expected if isinstance(expected, dt.date) else expected.date()
        return cell_value is not None and (EXCEL_EPOCH + dt.timedelta(days=cell_value)).date() == day
    if isinstance(expected, str):
        return cell_value == expected
    return cell_value is not None and abs(float(cell_value) - float(expected)) < 1e-6


def test_summary_sheet_equals_rpt_savings(warehouse, book):
    rpt = _query(warehouse, "select * from marts.rpt_savings")
    assert rpt, "the small council has teams live on 3Cs, so savings rows"
    by_key = {(r["financial_year"], r["team_id"], r["saving_type"]): r for r in rpt}
    _, headers, rows = book.table("Summary", "Financial year")
    assert set(headers) == set(SUMMARY_MAP) | {"Financial year", "Team", "Team name", "Live on 3Cs since"}
    seen = set()
    for row in rows:
        year, team = row["Financial year"].value, row["Team"].value
        seen.add((year, team))
        existing = by_key[(year, team, "existing_client_fye")]
        assert row["Team name"].value == existing["team_name"]
        assert _same(row["Live on 3Cs since"].value, existing["three_c_go_live_date"])
        for header, (saving_type, column) in SUMMARY_MAP.items():
            expected = by_key[(year, team, saving_type)][column]
            assert _same(row[header].value, expected), (year, team, header, row[header].value, expected)
        for header in ("Existing clients: cashable full-year effect", "New clients: cost avoidance against the baseline"):
            assert book.number_format[row[header].style] == MONEY_FORMAT
    assert seen == {(y, t) for (y, t, _) in by_key}, "one summary row per team-year, every team-year"
    assert len(rows) == len(seen)


def test_journeys_sheet_adds_up_to_the_existing_client_figure(book):
    _, _, summary = book.table("Summary", "Financial year")
    _, headers, journeys = book.table("Existing-client journeys", "Financial year (of the day before)")
    assert "Person (pseudonymised id)" in headers and journeys
    totals: dict[tuple, float] = {}
    for j in journeys:
        key = (j["Financial year (of the day before)"].value, j["Team"].value)
        totals[key] = totals.get(key, 0.0) + j["Full-year effect"].value
    for row in summary:
        key = (row["Financial year"].value, row["Team"].value)
        assert abs(totals.get(key, 0.0) - row["Existing clients: cashable full-year effect"].value) < 1e-4


def test_no_cell_holds_a_formula(book):
    for name, xml in book.sheet_xml.items():
        assert b"<f>" not in xml and b"<f " not in xml, name
        assert not any(cell.has_formula for cell in book.sheets[name].values()), name
    assert set(book.sheets) == {"Summary", "Existing-client journeys", "New-client baseline", "Cost by service",
                                "Direct payments", "Direct payments chart", "Teams not live", "Notes"}


DATA_SHEETS = {"Summary": "Financial year", "Existing-client journeys": "Financial year (of the day before)",
               "New-client baseline": "Team", "Cost by service": "Financial year", "Direct payments": "Date",
               "Teams not live": "Financial year (of the day before)"}


def test_layout_money_frozen_headers_autofilters_and_chart(book):
    for name in DATA_SHEETS:
        root = ET.fromstring(book.sheet_xml[name])
        pane = root.find(f"{M}sheetViews/{M}sheetView/{M}pane")
        assert pane is not None and pane.get("state") == "frozen" and float(pane.get("ySplit")) >= 4, name
        assert root.find(f"{M}autoFilter") is not None, name
    money = {book.number_format[c.style] for c in book.sheets["Cost by service"].values()
             if isinstance(c.value, float)}
    assert MONEY_FORMAT in money
    assert any(p.startswith("xl/charts/chart") for p in book.parts), "the summary carries a chart"


def test_no_personal_data_reaches_the_workbook(warehouse, book):
    forbidden = re.compile(r"nhs|postcode|note|birth|death", re.I)
    for name, first in DATA_SHEETS.items():
        _, headers, _ = book.table(name, first)
        assert headers and not any(forbidden.search(h) for h in headers), name
    people = _query(warehouse, "select nhs_pseudonym, postcode_district, cast(date_of_birth as varchar) as dob "
                               "from intermediate.int_people_current")
    secrets = {v for p in people for v in p.values() if v}
    texts = {c.value for cells in book.sheets.values() for c in cells.values() if isinstance(c.value, str)}
    assert not (texts & secrets)


# --- text that looks like a formula -------------------------------------------------------

RISKY = ["=1+1", "+1+1", "-1+1", "@SUM(1,1)", "\t=1+1", "\r=1+1", '=HYPERLINK("http://example.invalid","x")']


@pytest.fixture(scope="module")
def risky_workbook(warehouse, tmp_path_factory) -> tuple[Path, list[str]]:
    """A copy of the warehouse whose team names and a person id look like formulas."""
    tmp = tmp_path_factory.mktemp("finance-risky")
    copy = tmp / "warehouse.duckdb"
    shutil.copy(warehouse.warehouse, copy)
    con = duckdb.connect(str(copy))
    teams = [r[0] for r in con.execute("select distinct team_id from marts.rpt_savings order by 1").fetchall()]
    names = RISKY[: len(teams)]
    for team, name in zip(teams, names):
        con.execute("update marts.rpt_savings set team_name = ? where team_id = ?", [name, team])
    con.execute("update intermediate.int_person_journey_costs set person_id = ? "
                "where journey_id = (select min(journey_id) from intermediate.int_person_journey_costs where is_counted)",
                [RISKY[-1]])
    con.close()
    path = tmp / "risky.xlsx"
    con = duckdb.connect(str(copy), read_only=True)
    try:
        write_finance_workbook(con, path)
    finally:
        con.close()
    return path, names


def test_text_that_looks_like_a_formula_is_stored_as_quote_prefixed_text(risky_workbook):
    path, names = risky_workbook
    book = Xlsx(path)
    for name in book.sheets:
        assert b"<f>" not in book.sheet_xml[name] and b"<f " not in book.sheet_xml[name]
    risky_cells = [c for cells in book.sheets.values() for c in cells.values()
                   if isinstance(c.value, str) and c.value.startswith(FORMULA_STARTS)]
    found = {c.value for c in risky_cells}
    assert set(names) <= found and RISKY[-1] in found, "the text is kept exactly as in the warehouse"
    assert all(book.quote_prefix[c.style] for c in risky_cells)
    # and every other text cell is plain text too: a string, never a formula
    assert all(not c.has_formula for cells in book.sheets.values() for c in cells.values())


def test_libreoffice_shows_formula_like_text_as_text(risky_workbook, tmp_path):
    path, names = risky_workbook
    shutil.copy(path, tmp_path / "risky.xlsx")
    _soffice("--convert-to", "csv", "--outdir", str(tmp_path), str(tmp_path / "risky.xlsx"), cwd=tmp_path)
    rows = list(csv.reader(io.StringIO((tmp_path / "risky.csv").read_text(encoding="utf-8", errors="replace"))))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Financial year")
    team_names = {r[2] for r in rows[header + 1:] if len(r) > 2 and r[0]}
    printable = {n for n in names if not n.startswith(("\t", "\r"))}
    assert printable <= team_names, "LibreOffice evaluated none of them"
    assert "2" not in team_names


# --- PDF -----------------------------------------------------------------------------------

def test_workbook_converts_to_pdf_with_libreoffice(workbook, tmp_path):
    shutil.copy(workbook, tmp_path / "finance.xlsx")
    _soffice("--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "finance.xlsx"), cwd=tmp_path)
    pdf = tmp_path / "finance.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000


# --- costing through the real pipeline -----------------------------------------------------

def test_a_corrected_line_is_costed_whole_from_its_latest_version(warehouse):
    """The generated history corrects some service lines in later extracts: fct_packages
    carries every field of the winning version, and its costs follow from them."""
    winners = _query(warehouse, """
        select * from (
            select *, count(*) over (partition by package_id) as versions,
                   row_number() over (partition by package_id
                       order by last_modified desc, extract_date desc, delivery_id desc, row_number desc) as rank
            from staging.stg_packages)
        where versions > 1 and rank = 1 and not is_deleted""")
    changed = _query(warehouse, """
        select package_id from staging.stg_packages group by package_id
        having count(distinct unit_cost) > 1""")
    assert changed, "the small council carries corrected service lines"
    fct = {r["package_id"]: r for r in _query(warehouse, "select * from marts.fct_packages")}
    codes = {r["code"]: r for r in _query(warehouse, "select * from seeds.export_codes where code_list = 'cost_frequency'")}
    checked = 0
    for w in winners:
        if w["package_id"] not in fct:
            continue  # started after the as-of date
        f = fct[w["package_id"]]
        for col in ("unit_cost", "cost_frequency", "planned_units_per_week", "client_contribution_weekly",
                    "end_date", "service_type", "delivery_mechanism"):
            assert f[col] == w[col], (w["package_id"], col)
        code = codes[w["cost_frequency"]]
        if w["cost_frequency"] == "ONE_OFF":
            assert f["weekly_cost"] is None
        else:
            units = w["planned_units_per_week"] if code["uses_planned_units"] else code["units_per_week"]
            assert abs(f["weekly_cost"] - w["unit_cost"] * units) < 1e-9
        checked += 1
    assert checked and {c["package_id"] for c in changed} & set(fct)


def test_the_journey_csv_lists_every_counted_journey_and_the_sheet_its_first(warehouse, workbook, book):
    with journeys_csv_path(workbook).open(encoding="utf-8", newline="") as fh:
        listed = list(csv.DictReader(fh))
    counted = _query(warehouse, "select count(*) as n from intermediate.int_person_journey_costs where is_counted")
    assert len(listed) == counted[0]["n"] > 0
    totals: dict[tuple, float] = {}
    for j in listed:
        key = (j["financial_year"], j["team_id"])
        totals[key] = totals.get(key, 0.0) + float(j["full_year_effect"])
    _, _, summary = book.table("Summary", "Financial year")
    for row in summary:
        key = (row["Financial year"].value, row["Team"].value)
        assert abs(totals.get(key, 0.0) - row["Existing clients: cashable full-year effect"].value) < 1e-4
    _, _, sheet = book.table("Existing-client journeys", "Financial year (of the day before)")
    assert [r["Journey"].value for r in sheet] == [j["journey_id"] for j in listed]


def test_a_long_journey_list_keeps_its_first_rows_in_the_sheet_and_all_in_the_csv(warehouse, tmp_path,
                                                                                  monkeypatch):
    """At region scale and above the journey sheet holds the first JOURNEY_SHEET_ROWS
    journeys, says so above its header (the workbook writes rows to disk in order, so the
    note must come first) and names the CSV, which holds them all."""
    import threec.finance.workbook as workbook_module
    con = duckdb.connect(str(warehouse.warehouse), read_only=True)
    try:
        journeys = con.execute("select count(*) from intermediate.int_person_journey_costs where is_counted").fetchone()[0]
        room = 40
        assert journeys > room
        monkeypatch.setattr(workbook_module, "JOURNEY_SHEET_ROWS", room)
        path = tmp_path / "threec-finance-2025-03-31.xlsx"
        write_finance_workbook(con, path)
    finally:
        con.close()
    book = Xlsx(path)
    header_row, _, rows = book.table("Existing-client journeys", "Financial year (of the day before)")
    assert len(rows) == room
    assert book.sheets["Existing-client journeys"][(header_row - 1, 0)].value == (
        f"Only the first {room:,} of {journeys:,} rows are listed here; all of them are in "
        "threec-finance-2025-03-31-journeys.csv.")
    with (tmp_path / "threec-finance-2025-03-31-journeys.csv").open(encoding="utf-8", newline="") as fh:
        listed = list(csv.DictReader(fh))
    assert len(listed) == journeys
    assert [r["Journey"].value for r in rows] == [j["journey_id"] for j in listed[:room]]
