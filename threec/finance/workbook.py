"""The finance workbook (xlsx): package costs and savings by team and financial year.

Every figure is read from the built warehouse (dbt computes them; docs/finance.md says
how); this module only lays them out:

- Summary: both savings side by side per team and financial year, with the inputs that
  produced each, and a chart. The two are never added together.
- Existing-client journeys: the journeys counted in the existing-client saving, the
  first JOURNEY_SHEET_ROWS of them; every one is in the CSV written beside the workbook
  (threec-finance-<as-of>-journeys.csv).
- New-client baseline: each team's baseline against each year's actual.
- Cost by service: cost per financial year by service type, setting (service component)
  and delivery mechanism.
- Direct payments: uptake and mean weekly cost on every month end and the as-of date
  (charted on the sheet after it).
- Teams not live: the existing-client measure where the team was not live (comparison
  only, not a saving).
- Notes: how each figure is worked out.

Only pseudonymised ids (person_id, journey_id) reach the workbook: no NHS number,
postcode, note text or date of birth is ever queried.

Safety: no cell holds a formula. Workbook options turn off xlsxwriter's conversion of
strings to formulas, numbers and links; every text goes through ``write_string`` (never
``write``), so it is stored as a string, which Excel and LibreOffice display and never
evaluate. Text that a spreadsheet would read as a formula if it were ever re-entered or
re-imported (starting with = + - @, a tab or a carriage return) is additionally given
the quote-prefix cell attribute (``quotePrefix`` in the file; xlsxwriter's
``set_quote_prefix``): the spreadsheet treats the cell as text typed after an
apostrophe, keeps it text when the cell is edited, and the stored text itself stays
exactly as in the warehouse.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import logging
import math
import pathlib
import tempfile
from dataclasses import dataclass
from typing import Any, Sequence

import xlsxwriter

from threec.csv_out import copy_query_to_csv
from threec.files import atomic_path
from threec.safe_text import FORMULA_STARTS, looks_like_formula  # noqa: F401 (FORMULA_STARTS: read from here by tests)

log = logging.getLogger("threec.finance")

WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    # Rows go to disk as they are written, so memory stays flat and the journey sheet (a
    # million rows at national scale) writes about 30% faster; in exchange every sheet must
    # be written top to bottom (a row once left cannot be written again).
    "constant_memory": True,
}

MONEY_FORMAT = "£#,##0.00"
NUMBER_FORMATS = {
    "money": MONEY_FORMAT,
    "int": "#,##0",
    "share": "0.0%",
    "date": "yyyy-mm-dd",
    "number": "#,##0.00",
}

# Day 0 of Excel's 1900 date system as it counts every date after February 1900.
EXCEL_EPOCH = dt.date(1899, 12, 30)

# Rows an xlsx sheet can hold.
MAX_SHEET_ROWS = 1_048_576


@dataclass(frozen=True)
class Column:
    name: str  # column of the query result
    header: str  # header shown in the sheet
    kind: str = "text"  # text | int | money | share | date | bool | number
    width: float = 14.0


def _cols(*specs: tuple) -> list[Column]:
    return [Column(*s) for s in specs]


SUMMARY_COLUMNS = _cols(
    ("financial_year", "Financial year", "text", 11),
    ("team_id", "Team", "text", 9),
    ("team_name", "Team name", "text", 34),
    ("three_c_go_live_date", "Live on 3Cs since", "date", 12),
    ("existing_client_fye", "Existing clients: cashable full-year effect", "money", 18),
    ("journeys", "Journeys counted", "int", 10),
    ("journeys_cost_down", "Journeys with lower cost", "int", 10),
    ("journeys_cost_up", "Journeys with higher cost", "int", 10),
    ("weekly_cost_before", "Weekly cost the day before (sum)", "money", 15),
    ("weekly_cost_after", "Weekly cost 28 days after the end (sum)", "money", 15),
    ("new_client_avoidance", "New clients: cost avoidance against the baseline", "money", 18),
    ("baseline_new_client_requests", "Baseline new-client requests", "int", 11),
    ("baseline_led_to_long_term_support", "Baseline: led to long-term support", "int", 11),
    ("baseline_share", "Baseline share", "share", 9),
    ("baseline_mean_annualised_cost", "Baseline mean annualised cost", "money", 14),
    ("baseline_cost_per_request", "Baseline cost per new request", "money", 14),
    ("new_client_requests", "Year's new-client requests", "int", 11),
    ("led_to_long_term_support", "Year: led to long-term support", "int", 11),
    ("actual_share", "Year's share", "share", 9),
    ("actual_mean_annualised_cost", "Year's mean annualised cost", "money", 14),
    ("actual_cost_per_request", "Year's cost per new request", "money", 14),
)

SUMMARY_SQL = """
with e as (select * from marts.rpt_savings where saving_type = 'existing_client_fye'),
     n as (select * from marts.rpt_savings where saving_type = 'new_client_avoidance')
select
    coalesce(e.financial_year, n.financial_year)             as financial_year,
    coalesce(e.team_id, n.team_id)                           as team_id,
    coalesce(e.team_name, n.team_name)                       as team_name,
    coalesce(e.three_c_go_live_date, n.three_c_go_live_date) as three_c_go_live_date,
    e.amount as existing_client_fye,
    e.journeys, e.journeys_cost_down, e.journeys_cost_up, e.weekly_cost_before, e.weekly_cost_after,
    n.amount as new_client_avoidance,
    n.baseline_new_client_requests, n.baseline_led_to_long_term_support, n.baseline_share,
    n.baseline_mean_annualised_cost, n.baseline_cost_per_request,
    n.new_client_requests, n.led_to_long_term_support, n.actual_share,
    n.actual_mean_annualised_cost, n.actual_cost_per_request
from e
full join n on n.financial_year = e.financial_year and n.team_id = e.team_id
order by 2, 1
"""

JOURNEY_COLUMNS = _cols(
    ("financial_year", "Financial year (of the day before)", "text", 11),
    ("team_id", "Team", "text", 9),
    ("journey_id", "Journey", "text", 16),
    ("person_id", "Person (pseudonymised id)", "text", 16),
    ("first_conversation_type", "First conversation", "text", 10),
    ("start_date", "Journey start", "date", 12),
    ("day_before_start", "Day before (cost before)", "date", 12),
    ("last_conversation_type", "Last conversation", "text", 10),
    ("last_end_date", "Last conversation ended", "date", 12),
    ("settle_date", "Settle day (cost after)", "date", 12),
    ("conversations", "Conversations", "int", 9),
    ("packages_before", "Packages before", "int", 9),
    ("weekly_cost_before", "Weekly cost before", "money", 13),
    ("packages_after", "Packages after", "int", 9),
    ("weekly_cost_after", "Weekly cost after", "money", 13),
    ("full_year_effect", "Full-year effect", "money", 14),
)

JOURNEY_SQL = """
select financial_year, team_id, journey_id, person_id, first_conversation_type, start_date,
       day_before_start, last_conversation_type, last_end_date, settle_date, conversations,
       packages_before, weekly_cost_before, packages_after, weekly_cost_after, full_year_effect
from intermediate.int_person_journey_costs
where is_counted
"""
JOURNEY_ORDER = "team_id, financial_year, start_date, journey_id"

# The journey sheet lists at most this many: a council has some ten thousand, so its
# whole list fits. Each row costs about 0.2 ms of xlsxwriter (100,000 rows took 20 s of a
# region run's 93), and beyond this a sheet is for searching, not reading: the complete
# list is the CSV written beside the workbook.
JOURNEY_SHEET_ROWS = 20_000

BASELINE_COLUMNS = _cols(
    ("team_id", "Team", "text", 9),
    ("financial_year", "Financial year", "text", 11),
    ("team_name", "Team name", "text", 34),
    ("three_c_go_live_date", "Live on 3Cs since", "date", 12),
    ("baseline_from", "Baseline from", "date", 12),
    ("baseline_to", "Baseline to", "date", 12),
    ("is_baseline_partial", "Baseline shorter than 12 months of data", "bool", 11),
    ("baseline_new_client_requests", "Baseline new-client requests", "int", 11),
    ("baseline_led_to_long_term_support", "Baseline: led to long-term support", "int", 11),
    ("baseline_share", "Baseline share", "share", 9),
    ("baseline_long_term_packages", "Baseline long-term packages started", "int", 11),
    ("baseline_costed_long_term_packages", "Of which with an annualised cost", "int", 11),
    ("baseline_mean_annualised_cost", "Baseline mean annualised cost", "money", 14),
    ("baseline_cost_per_request", "Baseline cost per new request", "money", 14),
    ("new_client_requests", "Year's new-client requests", "int", 11),
    ("led_to_long_term_support", "Year: led to long-term support", "int", 11),
    ("actual_share", "Year's share", "share", 9),
    ("actual_long_term_packages", "Year's long-term packages started", "int", 11),
    ("actual_costed_long_term_packages", "Of which with an annualised cost", "int", 11),
    ("actual_mean_annualised_cost", "Year's mean annualised cost", "money", 14),
    ("actual_cost_per_request", "Year's cost per new request", "money", 14),
    ("amount", "Cost avoidance", "money", 16),
)

BASELINE_SQL = """
select team_id, financial_year, team_name, three_c_go_live_date, baseline_from, baseline_to,
       is_baseline_partial, baseline_new_client_requests, baseline_led_to_long_term_support,
       baseline_share, baseline_long_term_packages, baseline_costed_long_term_packages,
       baseline_mean_annualised_cost, baseline_cost_per_request, new_client_requests, led_to_long_term_support, actual_share, actual_long_term_packages,
       actual_costed_long_term_packages, actual_mean_annualised_cost, actual_cost_per_request, amount
from marts.rpt_savings
where saving_type = 'new_client_avoidance'
order by team_id, financial_year
"""

COST_COLUMNS = _cols(
    ("financial_year", "Financial year", "text", 11),
    ("period_end", "Up to", "date", 12),
    ("service_type", "Service type", "text", 20),
    ("service_component", "Setting (service component)", "text", 20),
    ("delivery_mechanism", "Delivery mechanism", "text", 24),
    ("packages", "Packages", "int", 10),
    ("people", "People", "int", 10),
    ("package_days", "Package days", "int", 12),
    ("one_off_packages", "One-off payments", "int", 10),
    ("one_off_cost", "One-off cost", "money", 14),
    ("cost", "Gross cost", "money", 16),
    ("net_cost", "Net cost (after contributions)", "money", 16),
)

COST_SQL = """
select financial_year, period_end, service_type, service_component, delivery_mechanism, packages,
       people, package_days, one_off_packages, one_off_cost, cost, net_cost
from marts.rpt_package_costs
order by financial_year desc, service_type, service_component, delivery_mechanism
"""

DP_COLUMNS = _cols(
    ("date", "Date", "date", 12),
    ("is_as_of_date", "As-of date", "bool", 9),
    ("people_with_direct_payment", "People with a direct payment (LTS community)", "int", 14),
    ("people_with_community_lts", "People with community long-term support", "int", 14),
    ("uptake", "Direct-payment uptake", "share", 11),
    ("direct_payment_packages", "Direct-payment packages with a weekly cost", "int", 14),
    ("direct_payment_weekly_cost", "Their weekly cost", "money", 15),
    ("mean_direct_payment_weekly_cost", "Mean weekly cost", "money", 13),
)

DP_SQL = """
select date, is_as_of_date, people_with_direct_payment, people_with_community_lts, uptake,
       direct_payment_packages, direct_payment_weekly_cost, mean_direct_payment_weekly_cost
from marts.rpt_direct_payments
order by date
"""

NOT_LIVE_COLUMNS = _cols(
    ("financial_year", "Financial year (of the day before)", "text", 11),
    ("team_id", "Team", "text", 9),
    ("team_name", "Team name", "text", 34),
    ("three_c_go_live_date", "Live on 3Cs since", "date", 12),
    ("journeys", "Journeys", "int", 10),
    ("weekly_cost_before", "Weekly cost the day before (sum)", "money", 15),
    ("weekly_cost_after", "Weekly cost 28 days after the end (sum)", "money", 15),
    ("full_year_effect", "Full-year effect (not a saving)", "money", 16),
)

NOT_LIVE_SQL = """
select j.financial_year, j.team_id, t.team_name, t.three_c_go_live_date, count(*) as journeys,
       sum(j.weekly_cost_before) as weekly_cost_before, sum(j.weekly_cost_after) as weekly_cost_after,
       sum(j.full_year_effect) as full_year_effect
from intermediate.int_person_journey_costs as j
left join intermediate.int_teams_current as t on t.team_id = j.team_id
where j.is_existing_client and j.is_settled and not j.is_team_live
group by all
order by j.team_id, j.financial_year
"""

NOTES = (
    "How the figures are worked out (the full text is docs/finance.md and docs/metrics.md).",
    "",
    "Package costs. Weekly cost = unit cost x units per week: weekly 1, fortnightly 1/2, four-weekly 1/4, "
    "monthly 12/52, quarterly 4/52, annually 1/52, no charge 0; hourly, daily and per-session lines use their "
    "planned units per week. A one-off payment has no weekly cost. Net weekly cost = weekly cost - the client's "
    "weekly contribution, never below 0. Annualised cost = weekly cost x 52.",
    "Active: a line is active from its start date to its end date (no end date = ongoing); a one-off payment "
    "only on its start date. Cost in a period = weekly cost x active days in the period / 7, plus each one-off "
    "payment starting in the period. The year of the as-of date runs to the as-of date only.",
    "",
    "Existing clients (cashable full-year effect). For each journey (a chain of conversations each starting "
    "within 28 days of the previous one's end) whose first conversation was held by a team live on 3Cs on the "
    "day the journey started, of a person with any package active on the day before it started: (the person's "
    "gross weekly cost on the day before - their gross weekly cost 28 days after the last conversation ended) "
    "x 52. Credited to the team of the first conversation and to the financial year of the day before the "
    "start. Journeys still open, or whose last conversation ended fewer than 28 days before the as-of date, "
    "are left out.",
    "",
    "New clients (cost avoidance against the team's baseline). A new-client request is one from a person with "
    "no long-term package active on the request date; it led to long-term support when a long-term package "
    "started 0 to 90 days after it. Baseline: the team's new-client requests in the 12 months before its "
    "go-live date: the share that led to long-term support x the mean annualised cost of the long-term "
    "packages they started (one-off payments have no annualised cost) = baseline cost per new request. The "
    "same for each year's new-client requests made on or after go-live. Avoidance = (baseline - year's cost "
    "per new request) x the year's new-client requests. No baseline requests: no figure.",
    "",
    "The two savings are reported side by side and never added together. Positive = saved; negative = costs "
    "rose. The year of the as-of date is provisional (recent journeys settle and recent requests can still "
    "lead to long-term support).",
    "",
    "Direct payments. Uptake = people with an active community long-term package (LTS_COMMUNITY) paid as a "
    "direct payment / people with any active community long-term package, on each month end and the as-of "
    "date. Mean weekly cost: over those direct-payment lines with a weekly cost (gross).",
    "",
    "Teams not live: the existing-client measure for journeys whose first team was not live on 3Cs when they "
    "started, for comparison with the old care-management model. It is not a saving and is never added to one.",
    "",
    "Ids are the case system's pseudonymised person and journey ids; the workbook holds no NHS number, postcode, "
    "note text or date of birth.",
)


class _Sheets:
    """Formats and the safe cell writer shared by every sheet."""

    def __init__(self, workbook: xlsxwriter.Workbook):
        self.wb = workbook
        self.fmt: dict[str, Any] = {"text": workbook.add_format({"valign": "top"}),
                                    "bool": workbook.add_format({"valign": "top"})}
        for kind, num_format in NUMBER_FORMATS.items():
            self.fmt[kind] = workbook.add_format({"num_format": num_format, "valign": "top"})
        self.quoted = workbook.add_format({"valign": "top"})
        self.quoted.set_quote_prefix()
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.note = workbook.add_format({"italic": True, "font_color": "#444444"})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "bottom",
                                           "bg_color": "#DDEBF7", "bottom": 1})
        self.group = workbook.add_format({"bold": True, "align": "center", "bg_color": "#BDD7EE", "border": 1})

    def text(self, ws, row: int, col: int, value: str, fmt=None) -> None:
        """Every text goes through here: stored as a string, quote-prefixed when risky."""
        value = str(value)
        if looks_like_formula(value):
            fmt = self.quoted
        ws.write_string(row, col, value, fmt if fmt is not None else self.fmt["text"])

    def value(self, ws, row: int, col: int, value: Any, kind: str) -> None:
        fmt = self.fmt.get(kind, self.fmt["text"])
        if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
            ws.write_blank(row, col, None, fmt)
        elif isinstance(value, bool):
            self.text(ws, row, col, "Yes" if value else "No")
        elif isinstance(value, (dt.datetime, dt.date)):
            when = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
            ws.write_datetime(row, col, when, self.fmt["date"])
        elif isinstance(value, (int, float, decimal.Decimal)):
            ws.write_number(row, col, float(value), fmt)
        else:
            self.text(ws, row, col, value)

    def date(self, ws, row: int, col: int, value: Any) -> None:
        """A date column's cell: the Excel day number under the date format, which is what
        write_datetime stores, without its per-cell datetime arithmetic (a million-row sheet
        has millions of dates)."""
        if type(value) is dt.date:
            ws.write_number(row, col, (value - EXCEL_EPOCH).days, self.fmt["date"])
        else:
            self.value(ws, row, col, value, "date")

    def table(self, ws, header_row: int, columns: Sequence[Column], rows: Sequence[Sequence[Any]],
              freeze_cols: int = 0, total: int | None = None, elsewhere: str = "") -> tuple[int, int]:
        """Header, rows, widths, frozen header, autofilter. Returns (first, last) data row.
        ``total``: how many rows there are when ``rows`` is already only the first of them;
        ``elsewhere`` says where the rest are."""
        total = len(rows) if total is None else total
        room = MAX_SHEET_ROWS - header_row - 2
        rows = rows[:room]
        if total > len(rows):
            # a warning only when rows are lost; a list kept short on purpose is complete elsewhere
            log.log(logging.INFO if elsewhere else logging.WARNING, "finance workbook: %s holds the first %d of "
                    "%d rows%s", ws.get_name(), len(rows), total, f" ({elsewhere})" if elsewhere else "")
            why = elsewhere or "fit in a sheet."
            self.text(ws, header_row - 1, 0, f"Only the first {len(rows):,} of {total:,} rows {why}", self.note)
        ws.set_row(header_row, 62)
        for c, col in enumerate(columns):
            self.text(ws, header_row, c, col.header, self.header)
            ws.set_column(c, c, col.width)
        first = header_row + 1
        writers = [self.date if col.kind == "date" else functools.partial(self.value, kind=col.kind)
                   for col in columns]
        for r, record in enumerate(rows, start=first):
            for c, write in enumerate(writers):
                write(ws, r, c, record[c])
        last = first + len(rows) - 1
        ws.freeze_panes(first, freeze_cols)
        ws.autofilter(header_row, 0, max(last, header_row), len(columns) - 1)
        # printed (or converted to PDF): landscape A4, one page wide, header on every page
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(header_row)
        return first, last

    def heading(self, ws, lines: Sequence[str]) -> None:
        self.text(ws, 0, 0, lines[0], self.title)
        for i, line in enumerate(lines[1:], start=1):
            self.text(ws, i, 0, line, self.note)


def _index(columns: Sequence[Column], name: str) -> int:
    return next(i for i, c in enumerate(columns) if c.name == name)


def _fetch(con, sql: str, columns: Sequence[Column]) -> list[tuple]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    wanted = [c.name for c in columns]
    if names != wanted:
        raise ValueError(f"finance workbook query returned {names}, expected {wanted}")
    return cur.fetchall()


def _as_of(con) -> dt.date | None:
    row = con.execute("select max(as_of_date) from marts.fct_packages").fetchone()
    return row[0] if row else None


def _money_columns_chart(s: _Sheets, ws, sheet: str, first: int, last: int, title: str,
                         series: list[tuple[int, str]]) -> None:
    """A column chart of GBP columns of a sheet's table (rows first..last), categories in its
    first two columns, placed under the table."""
    chart = s.wb.add_chart({"type": "column"})
    for col, name in series:
        chart.add_series({"name": name, "categories": [sheet, first, 0, last, 1],
                          "values": [sheet, first, col, last, col]})
    chart.set_title({"name": title})
    chart.set_y_axis({"num_format": "£#,##0"})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 1100, "height": 420})
    ws.insert_chart(last + 3, 0, chart)


def _summary(s: _Sheets, con, as_of_text: str) -> None:
    ws = s.wb.add_worksheet("Summary")
    rows = _fetch(con, SUMMARY_SQL, SUMMARY_COLUMNS)
    s.heading(ws, [
        "Savings from working the Three Conversations way, by team and financial year",
        f"Figures as of {as_of_text}. GBP a year; positive = saved, negative = costs rose. The two savings "
        "are shown side by side with their inputs and are never added together.",
        "Only teams live on 3Cs are listed. An empty new-client figure: the team had no new-client requests "
        "in its baseline year. See the Notes sheet.",
    ])
    header_row = 4
    # group headers over the two halves (constants, written as strings)
    groups = ((_index(SUMMARY_COLUMNS, "existing_client_fye"), _index(SUMMARY_COLUMNS, "weekly_cost_after"),
               "Existing clients"),
              (_index(SUMMARY_COLUMNS, "new_client_avoidance"), len(SUMMARY_COLUMNS) - 1, "New clients"))
    for first_col, last_col, label in groups:
        ws.merge_range(header_row - 1, first_col, header_row - 1, last_col, "", s.group)
        s.text(ws, header_row - 1, first_col, label, s.group)
    first, last = s.table(ws, header_row, SUMMARY_COLUMNS, rows, freeze_cols=2)
    if rows:
        _money_columns_chart(s, ws, "Summary", first, last, "Savings by team and financial year (GBP a year)", [
            (_index(SUMMARY_COLUMNS, "existing_client_fye"), "Existing clients: cashable full-year effect"),
            (_index(SUMMARY_COLUMNS, "new_client_avoidance"), "New clients: cost avoidance against the baseline"),
        ])


def _journeys(s: _Sheets, con, journeys_csv: pathlib.Path, total: int) -> None:
    """The first JOURNEY_SHEET_ROWS of the ``total`` journeys listed in ``journeys_csv``."""
    ws = s.wb.add_worksheet("Existing-client journeys")
    rows = _fetch(con, f"{JOURNEY_SQL} order by {JOURNEY_ORDER} limit {JOURNEY_SHEET_ROWS}", JOURNEY_COLUMNS)
    s.heading(ws, [
        "Existing-client journeys behind the cashable full-year effect",
        "One row per journey counted: full-year effect = (weekly cost before - weekly cost after) x 52, gross. "
        f"Ids are pseudonymised. Every journey is also in {journeys_csv.name}, beside this workbook.",
    ])
    s.table(ws, 3, JOURNEY_COLUMNS, rows, freeze_cols=3, total=total,
            elsewhere=f"are listed here; all of them are in {journeys_csv.name}.")


def _baseline(s: _Sheets, con) -> None:
    ws = s.wb.add_worksheet("New-client baseline")
    rows = _fetch(con, BASELINE_SQL, BASELINE_COLUMNS)
    s.heading(ws, [
        "New clients: each team's baseline against each year's actual",
        "Cost per new request = share of new-client requests that led to long-term support x mean annualised "
        "cost of the long-term packages they started. Cost avoidance = (baseline - year) x the year's requests.",
    ])
    first, last = s.table(ws, 3, BASELINE_COLUMNS, rows, freeze_cols=1)
    if rows:
        _money_columns_chart(s, ws, "New-client baseline", first, last,
                             "Cost per new-client request: baseline against each year", [
            (_index(BASELINE_COLUMNS, "baseline_cost_per_request"), "Baseline cost per new request"),
            (_index(BASELINE_COLUMNS, "actual_cost_per_request"), "Year's cost per new request"),
        ])


def _costs(s: _Sheets, con) -> None:
    ws = s.wb.add_worksheet("Cost by service")
    rows = _fetch(con, COST_SQL, COST_COLUMNS)
    s.heading(ws, [
        "Package cost by financial year, service type and setting",
        "Cost in a year = weekly cost x active days / 7 plus one-off payments starting in it; the year of the "
        "as-of date runs to the as-of date ('Up to').",
    ])
    s.table(ws, 3, COST_COLUMNS, rows, freeze_cols=1)


def _direct_payments(s: _Sheets, con) -> None:
    ws = s.wb.add_worksheet("Direct payments")
    rows = _fetch(con, DP_SQL, DP_COLUMNS)
    s.heading(ws, [
        "Direct-payment uptake over time",
        "People with an active community long-term package paid as a direct payment / people with any active "
        "community long-term package, on each month end and the as-of date.",
    ])
    first, last = s.table(ws, 3, DP_COLUMNS, rows, freeze_cols=1)
    if rows:
        chart = s.wb.add_chart({"type": "line"})
        chart.add_series({
            "name": "Direct-payment uptake",
            "categories": ["Direct payments", first, 0, last, 0],
            "values": ["Direct payments", first, 4, last, 4],
        })
        mean = s.wb.add_chart({"type": "line"})
        mean.add_series({
            "name": "Mean weekly cost of direct payments",
            "categories": ["Direct payments", first, 0, last, 0],
            "values": ["Direct payments", first, 7, last, 7],
            "y2_axis": True,
        })
        chart.combine(mean)
        chart.set_title({"name": "Direct-payment uptake and mean weekly cost"})
        chart.set_y_axis({"num_format": "0%", "name": "Uptake"})
        mean.set_y2_axis({"num_format": "£#,##0", "name": "Mean weekly cost"})
        chart.set_x_axis({"date_axis": True, "num_format": "mmm yyyy", "major_unit": 12,
                          "major_unit_type": "months"})
        chart.set_legend({"position": "bottom"})
        # its own sheet: a long monthly series prints as one full page
        sheet = s.wb.add_chartsheet("Direct payments chart")
        sheet.set_chart(chart)
        sheet.set_landscape()
        sheet.set_paper(9)


def _not_live(s: _Sheets, con) -> None:
    ws = s.wb.add_worksheet("Teams not live")
    rows = _fetch(con, NOT_LIVE_SQL, NOT_LIVE_COLUMNS)
    s.heading(ws, [
        "For comparison only: existing clients' cost changes where the team was not live on 3Cs",
        "Journeys whose first team was not live when they started (teams never live, and live teams before "
        "go-live), measured the same way. Not a saving; never added to one.",
    ])
    s.table(ws, 3, NOT_LIVE_COLUMNS, rows, freeze_cols=2)


def _notes(s: _Sheets, as_of_text: str) -> None:
    ws = s.wb.add_worksheet("Notes")
    ws.set_column(0, 0, 120)
    s.text(ws, 0, 0, "Notes", s.title)
    s.text(ws, 1, 0, f"Figures as of {as_of_text}.", s.note)
    for i, line in enumerate(NOTES, start=3):
        s.text(ws, i, 0, line, s.wrap)


def journeys_csv_path(path: pathlib.Path) -> pathlib.Path:
    """The complete journey list written beside the workbook at ``path``."""
    return path.with_name(f"{path.stem}-journeys.csv")


def write_finance_workbook(con, path: pathlib.Path) -> None:
    """Write the finance workbook to `path` (xlsx), and every counted journey to
    journeys_csv_path(path), from a read-only connection to the built warehouse. Each file
    appears complete or not at all (written beside it, then renamed into place)."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    as_of = _as_of(con)
    as_of_text = as_of.isoformat() if as_of else "unknown"
    # constant_memory's row files go to a folder of our own beside the output (not a shared
    # /tmp), removed whole afterwards: xlsxwriter leaves an empty one behind per workbook
    with atomic_path(path) as tmp, tempfile.TemporaryDirectory(prefix=".xlsx-rows-", dir=path.parent) as rows_dir:
        wb = xlsxwriter.Workbook(str(tmp), {**WORKBOOK_OPTIONS, "tmpdir": rows_dir})
        wb.set_properties({"title": "Package costs and savings", "subject": f"As of {as_of_text}",
                           "comments": "Written by threec from the warehouse marts; no formulas."})
        sheets = _Sheets(wb)
        _summary(sheets, con, as_of_text)
        journeys = copy_query_to_csv(con, JOURNEY_SQL, JOURNEY_ORDER, journeys_csv_path(path))
        _journeys(sheets, con, journeys_csv_path(path), journeys)
        _baseline(sheets, con)
        _costs(sheets, con)
        _direct_payments(sheets, con)
        _not_live(sheets, con)
        _notes(sheets, as_of_text)
        wb.close()
