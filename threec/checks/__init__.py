"""Data-quality checks run by Great Expectations on compact frames the warehouse computes.

Row-level rules over big tables stay in SQL (ingest and dbt tests); GX validates small
"facts" frames (one row per file, mart, team-month or finding kind), so the checks cost
seconds at any scale. Two severities: a failed *fail* check stops publishing; a *warn*
check is reported and the run goes on."""
