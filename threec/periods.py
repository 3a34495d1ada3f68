"""Calendar helpers shared by the checks and the report."""

from __future__ import annotations

import datetime as dt


def last_months(as_of: dt.date, count: int) -> list[dt.date]:
    """First days of the ``count`` months ending with the as-of date's month, oldest first."""
    index = as_of.year * 12 + as_of.month - 1
    return [dt.date((index - k) // 12, (index - k) % 12 + 1, 1) for k in range(count - 1, -1, -1)]
