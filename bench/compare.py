"""Compare the pandas reference's facts with threec's marts, row by row and column by
column, in DuckDB (so a national-scale comparison stays cheap).

Rows are matched on each fact's key; a row on one side only is a mismatch. Every
compared column must be equal after casting the pandas value to threec's column type
(dates, booleans, integers, text exactly; nulls equal only to nulls). Money must agree
to the cent (|difference| < 0.005); other doubles (units per week) to 1e-9.

    python bench/compare.py --warehouse FILE --pandas DIR --out result.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

MONEY = {"unit_cost", "weekly_cost", "client_contribution_weekly", "net_weekly_cost", "annualised_cost"}
NEAR = {"units_per_week", "planned_units_per_week"}

FACTS: dict[str, tuple[list[str], list[str]]] = {
    "fct_conversations": (["conversation_id"], [
        "person_id", "request_id", "team_id", "worker_id", "conversation_type", "conversation_type_rank",
        "start_date", "end_date", "outcome", "is_positive_outcome", "is_ended", "recorded_end_date",
        "recorded_outcome", "duration_days", "days_open_at_as_of", "escalation_reason",
        "has_meaningful_escalation_note", "peer_challenge_date", "person_conversation_seq", "journey_id",
        "journey_position", "is_journey_start", "has_next", "next_conversation_id", "next_conversation_type",
        "next_start_date", "next_team_id", "outcome_bucket", "is_direct_escalation", "is_explained_escalation",
        "is_unexplained_escalation", "is_unchallenged_escalation", "is_premature_escalation"]),
    "fct_requests": (["request_id"], [
        "person_id", "team_id", "request_date", "route_of_access", "first_conversation_id",
        "first_conversation_type", "first_conversation_team_id", "first_conversation_date", "wait_days",
        "is_waiting", "days_waiting_at_as_of", "is_new_client", "led_to_long_term_support"]),
    "fct_packages": (["package_id"], [
        "person_id", "conversation_id", "agreeing_team_id", "service_type", "is_long_term", "service_component",
        "delivery_mechanism", "start_date", "end_date", "cost_frequency", "is_one_off", "unit_cost",
        "planned_units_per_week", "units_per_week", "weekly_cost", "client_contribution_weekly",
        "net_weekly_cost", "annualised_cost", "is_active_at_as_of"]),
    "fct_delayed_days": (["month", "provider_code", "bed_type", "reason_code", "responsible_org"], [
        "provider_name", "delayed_days", "delays", "days_in_month"]),
}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def compare(warehouse: Path, pandas_dir: Path) -> dict:
    import duckdb

    con = duckdb.connect()
    con.execute(f"attach '{warehouse}' as wh (read_only)")
    report: dict[str, dict] = {}
    try:
        for fact, (keys, columns) in FACTS.items():
            types = dict(con.execute(
                "select column_name, data_type from duckdb_columns() "
                "where database_name = 'wh' and schema_name = 'marts' and table_name = ?", [fact]).fetchall())
            if not types:
                raise SystemExit(f"bench.compare: the warehouse has no marts.{fact}")
            missing = [c for c in keys + columns if c not in types]
            if missing:
                raise SystemExit(f"bench.compare: marts.{fact} lacks {missing}: update bench/compare.py")
            path = pandas_dir / f"{fact}.parquet"
            cast = ", ".join(f"cast({_q(c)} as {types[c]}) as {_q(c)}" for c in keys + columns)
            con.execute(f"create or replace temp view p as select {cast} from read_parquet('{path}')")
            con.execute(f"create or replace temp view t as select {', '.join(_q(c) for c in keys + columns)} "
                        f"from wh.marts.{_q(fact)}")
            on = " and ".join(f"p.{_q(k)} is not distinct from t.{_q(k)}" for k in keys)
            checks = []
            for c in columns:
                a, b = f"p.{_q(c)}", f"t.{_q(c)}"
                if c in MONEY or c in NEAR:
                    tol = "0.005" if c in MONEY else "1e-9"
                    checks.append(f"count(*) filter (where ({a} is null) <> ({b} is null) or abs({a} - {b}) >= {tol})")
                    checks.append(f"coalesce(max(abs({a} - {b})), 0)")
                else:
                    checks.append(f"count(*) filter (where {a} is distinct from {b})")
            k0 = _q(keys[0])
            row = con.execute(f"""
                select count(*) filter (where p.{k0} is null) as only_threec,
                       count(*) filter (where t.{k0} is null) as only_pandas,
                       count(*) filter (where p.{k0} is not null and t.{k0} is not null) as matched,
                       {', '.join(checks)}
                from p full outer join t on {on}""").fetchone()
            (threec_rows,) = con.execute("select count(*) from t").fetchone()
            (pandas_rows,) = con.execute("select count(*) from p").fetchone()
            (dup,) = con.execute(f"select count(*) - count(distinct ({', '.join(_q(k) for k in keys)})) from p").fetchone()
            mismatched, max_diff, i = {}, {}, 3
            for c in columns:
                if c in MONEY or c in NEAR:
                    if row[i]:
                        mismatched[c] = row[i]
                    max_diff[c] = float(row[i + 1])
                    i += 2
                else:
                    if row[i]:
                        mismatched[c] = row[i]
                    i += 1
            examples = []
            if mismatched or row[0] or row[1]:
                cols = ", ".join(f"p.{_q(c)} as {_q('pandas_' + c)}, t.{_q(c)} as {_q('threec_' + c)}"
                                 for c in list(mismatched)[:3])
                examples = [str(r) for r in con.execute(
                    f"select coalesce(p.{k0}, t.{k0}) as key {', ' + cols if cols else ''} "
                    f"from p full outer join t on {on} where p.{k0} is null or t.{k0} is null "
                    + "".join(f" or p.{_q(c)} is distinct from t.{_q(c)}" for c in mismatched)
                    + " limit 5").fetchall()]
            report[fact] = {
                "threec_rows": threec_rows, "pandas_rows": pandas_rows, "matched_rows": row[2],
                "only_threec": row[0], "only_pandas": row[1], "duplicate_keys_pandas": dup,
                "mismatched_columns": mismatched, "max_abs_diff": max_diff, "examples": examples,
                "equal": not (row[0] or row[1] or mismatched or dup),
            }
    finally:
        con.close()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="compare the pandas reference's facts with threec's marts")
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--pandas", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    report = compare(args.warehouse, args.pandas)
    args.out.write_text(json.dumps(report, indent=2))
    for fact, r in report.items():
        state = "equal" if r["equal"] else "DIFFERENT"
        print(f"compare {fact}: {state}: threec {r['threec_rows']:,} rows, pandas {r['pandas_rows']:,}, "
              f"only threec {r['only_threec']}, only pandas {r['only_pandas']}, columns differing "
              f"{r['mismatched_columns'] or 'none'}")
        for e in r["examples"]:
            print(f"    e.g. {e}")
    return 0 if all(r["equal"] for r in report.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
