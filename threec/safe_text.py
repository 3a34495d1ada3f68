"""Text written to spreadsheets and CSV files must never run as a formula when opened."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: object) -> object:
    """Prefix a text that a spreadsheet would read as a formula with an apostrophe;
    numbers, dates and other values pass through unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
