"""The statutory yearly returns: the Client Level Data file, its field-by-field validation,
and the ASCOF, SALT-style and ASC-FR tables, for one financial year."""

from threec.returns.job import ReturnsSummary, run_returns
from threec.returns.year import ReturnYear, parse_year

__all__ = ["ReturnYear", "ReturnsSummary", "parse_year", "run_returns"]
