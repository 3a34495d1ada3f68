"""The benchmark (bench/run.py) works end to end at its tiny scale, and the pandas
reference computes exactly threec's facts, after the full load and after the delta.

Never a timed test: timings on a shared machine prove nothing, so only the shape of
the result line and the agreement of the two implementations are asserted."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bench import report

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("bench")]

REPO = Path(__file__).resolve().parent.parent
NUMBER = r"\d+\.\d+"
LAST_LINE = re.compile(
    rf"bench: scale=tiny floor_s=({NUMBER}) threec_s=({NUMBER}) pandas_s=({NUMBER}) ratio_floor=({NUMBER}) "
    rf"ratio_pandas=({NUMBER}) delta_ratio=({NUMBER}) peak_rss_gib=({NUMBER})")


def ratio_within_rounding(ratio: float, top: float, bottom: float, half_step: float = 0.005) -> bool:
    """The line prints times to 2 decimals but divides the unrounded ones, so a tiny floor
    (0.10 s stands for anything in [0.095, 0.105)) moves the ratio by several percent."""
    low = (top - half_step) / (bottom + half_step)
    high = (top + half_step) / max(bottom - half_step, 1e-9)
    return low - half_step <= ratio <= high + half_step


def test_tiny_benchmark_ends_with_the_result_line(tiny_bench):
    proc, work = tiny_bench
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    last = proc.stdout.strip().splitlines()[-1]
    match = LAST_LINE.fullmatch(last)
    assert match, f"last line has the wrong shape: {last!r}"
    floor_s, threec_s, pandas_s, ratio_floor, ratio_pandas, delta_ratio, peak = map(float, match.groups())
    assert floor_s > 0 and threec_s > 0 and pandas_s > 0 and peak > 0
    assert ratio_within_rounding(ratio_floor, threec_s, floor_s)
    assert ratio_within_rounding(ratio_pandas, pandas_s, threec_s)
    assert not (REPO / "bench" / "results" / "tiny.json").exists(), "the tiny scale never writes the docs"


def test_pandas_reference_equals_threec_after_the_full_load_and_after_the_delta(tiny_bench):
    proc, work = tiny_bench
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    result = json.loads((work / "result.json").read_text())
    assert result["equal"] == {"full": True, "delta": True, "spark": True}
    for when in ("full", "delta"):
        check = result["comparisons"][when]
        assert set(check["facts"]) == {"fct_conversations", "fct_requests", "fct_packages", "fct_delayed_days"}
        for fact, r in check["facts"].items():
            assert r["equal"], (when, fact, r)
            assert r["threec_rows"] == r["pandas_rows"] == r["matched_rows"] > 0, (when, fact, r)
    assert result["delta"]["rows"] > 0
    assert {"startup", "ingest", "dbt", "checks", "publish"} <= set(result["phases"]["threec_full"]["steps"])


def test_the_spark_phase_builds_the_daily_models_and_equals_duckdb(tiny_bench):
    proc, work = tiny_bench
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    result = json.loads((work / "result.json").read_text())
    spark = result["phases"]["spark"]
    assert spark["wall_s"] > 0 and spark["peak_rss_bytes"] > 0
    assert spark["dbt"]["by_kind"]["model"]["nodes"] == result["phases"]["threec_delta"]["dbt"]["by_kind"]["model"]["nodes"]
    assert result["comparisons"]["spark"]["report"][0].endswith("tables equal to DuckDB's")
    row = report.spark_table([result]).splitlines()[-1]
    assert row.startswith("| tiny |") and row.endswith("| yes |")


def test_the_comparison_catches_a_single_wrong_value(tiny_bench, tmp_path):
    proc, work = tiny_bench
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    tampered = tmp_path / "pandas"
    tampered.mkdir()
    for path in (work / "pandas_delta").glob("*.parquet"):
        table = pq.read_table(path)
        if path.stem == "fct_packages":
            costs = table.column("weekly_cost").to_pylist()
            i = next(k for k, v in enumerate(costs) if v)
            costs[i] += 0.01  # one penny on one line
            table = table.set_column(table.schema.get_field_index("weekly_cost"), "weekly_cost",
                                     pa.array(costs, pa.float64()))
        pq.write_table(table, tampered / path.name)
    out = tmp_path / "compare.json"
    check = subprocess.run([sys.executable, str(REPO / "bench" / "compare.py"), "--warehouse",
                            str(work / "warehouse" / "threec.duckdb"), "--pandas", str(tampered), "--out", str(out)],
                           cwd=REPO, capture_output=True, text=True)
    assert check.returncode == 1, check.stdout + check.stderr
    report = json.loads(out.read_text())
    assert report["fct_packages"]["mismatched_columns"] == {"weekly_cost": 1}
    assert all(report[f]["equal"] for f in ("fct_conversations", "fct_requests", "fct_delayed_days"))
