"""Data-quality checks run by Great Expectations on compact frames the warehouse computes.

Row-level rules over big tables stay in SQL (ingest and dbt tests); GX validates small
"facts" frames (one row per file, mart, team-month or finding kind), so the checks cost
seconds at any scale. Two severities: a failed *fail* check stops publishing; a *warn*
check is reported and the run goes on."""


def import_gx():
    """Import Great Expectations, which imports pyspark.sql.connect when PySpark is
    installed (the `spark` extra). PySpark then exits the process (status 0, no message on
    stdout) if `__main__` has neither a spec nor a file and the session is not interactive,
    taking it for a doctest run: `python -c` and pytest-xdist workers look like that. For
    the length of the import only, the session is marked interactive (`sys.ps1`), which
    PySpark reads nowhere else. PySpark's warning there that it does not fully support
    pandas 3 is about its pandas API, which GX and threec do not use."""
    import sys
    import warnings

    marked = not hasattr(sys, "ps1")
    if marked:
        sys.ps1 = ""
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas",
                                    category=FutureWarning)
            import great_expectations
    finally:
        if marked:
            del sys.ps1
    return great_expectations
