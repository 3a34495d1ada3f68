"""A return's year: a financial year, 1 April to 31 March, written '2024-25'."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from threec.errors import ConfigError


@dataclass(frozen=True)
class ReturnYear:
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        return f"{self.start.year}-{(self.start.year + 1) % 100:02d}"


def parse_year(text: str) -> ReturnYear:
    match = re.fullmatch(r"(\d{4})-(\d{2})", (text or "").strip())
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ConfigError(f"the year must be a financial year like 2024-25 (April to March), got {text!r}")
    first = int(match.group(1))
    return ReturnYear(dt.date(first, 4, 1), dt.date(first + 1, 3, 31))


def latest_complete_year(day: dt.date) -> ReturnYear:
    """The latest financial year that ended on or before ``day``."""
    first = day.year - 1 if (day.month, day.day) >= (3, 31) else day.year - 2
    return ReturnYear(dt.date(first, 4, 1), dt.date(first + 1, 3, 31))
