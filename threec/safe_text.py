"""Text written to spreadsheets and CSV files must never run as a formula when opened.

Every CSV and xlsx writer of threec (the worklist, the finance workbook, the statutory
returns' CSV files) passes its text cells through here."""

from __future__ import annotations

# A cell starting with one of these is read as a formula (or a DDE command) by Excel,
# LibreOffice Calc or Google Sheets; the control characters and the full-width signs
# are there because some spreadsheets drop or fold them before deciding.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def looks_like_formula(text: str) -> bool:
    """True for a text a spreadsheet could take as a formula: one of FORMULA_STARTS
    first, also after leading spaces (an import that trims them would expose it)."""
    return text.lstrip(" ").startswith(FORMULA_STARTS)


def neutralise_formula(value: object) -> object:
    """Prefix a text that a spreadsheet would read as a formula with an apostrophe (the
    spreadsheet shows the text, never evaluates it); numbers, dates and other values
    pass through unchanged."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def neutralise_formula_sql(column: str) -> str:
    """neutralise_formula as a DuckDB expression over a text column, for CSV files written
    by COPY (millions of rows, where a Python call per cell costs more than the rest of the
    file). Built from FORMULA_STARTS, so the two can never disagree."""
    trimmed = f"ltrim({column}, ' ')"
    tests = " or ".join(f"starts_with({trimmed}, chr({ord(ch)}))" for ch in FORMULA_STARTS)
    return f"case when {tests} then '''' || {column} else {column} end"
