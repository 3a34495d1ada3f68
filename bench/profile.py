"""Where does a benchmarked `threec run` spend its time? Reads what bench/run.py kept of
a scale's last run and profiles the slowest dbt models with DuckDB's EXPLAIN ANALYZE.

    .venv/bin/python bench/profile.py --scale region [--models 6] [--run threec_full]

- threec's steps, from the progress lines (start-up, ingest, dbt, checks, publish);
- dbt's node times by kind (models, data tests, unit tests, seeds) and the slowest nodes;
- for the slowest models: EXPLAIN ANALYZE of their compiled SELECT against the run's
  warehouse (read-only; the warehouse holds the last run's tables, so the plan reads the
  same inputs the build read), with the most expensive operators.

Writes <scale>/run/profile.txt beside the run's logs and prints it. Sampling profiles of
threec's own Python (ingest, checks, publish) come from py-spy, which the `bench` extra
installs: `py-spy record --subprocesses -o out.svg -- threec run ...` (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.data import SCALES, scale_dir  # noqa: E402


_UNITS = {"s": 1.0, "ms": 1e-3, "µs": 1e-6, "us": 1e-6, "ns": 1e-9}


def operators(plan: str, top: int) -> list[tuple[float, str]]:
    """(seconds, operator) of the plan's costliest operators, read from EXPLAIN ANALYZE's
    boxes: a box opens with its operator's name and ends with "<n> rows <time>"."""
    found: list[tuple[float, str]] = []
    for box in plan.split("╭─ ")[1:]:
        lines = [line.strip("│┃ ").strip() for line in box.splitlines()]
        name = lines[0].split(" ─")[0].strip()
        timed = next((m for line in lines if (m := re.match(r"([\d,]+) rows?\s+([\d.]+)(s|ms|µs|us|ns)$", line))),
                     None)
        if timed is None:
            continue
        detail = next((line for line in lines[1:] if line and not line.startswith(("Projections:", "#"))
                       and not line.endswith(("rows", "µs", "ms", "s"))), "")
        seconds = float(timed.group(2)) * _UNITS[timed.group(3)]
        found.append((seconds, f"{name} ({timed.group(1)} rows){': ' + detail[:110] if detail else ''}"))
    return sorted(found, reverse=True)[:top]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="profile a benchmarked threec run")
    parser.add_argument("--scale", required=True, choices=list(SCALES))
    parser.add_argument("--run", default="threec_full", choices=["threec_full", "threec_delta"])
    parser.add_argument("--models", type=int, default=6, help="how many of the slowest models to EXPLAIN ANALYZE")
    args = parser.parse_args(argv)
    import duckdb

    work = scale_dir(SCALES[args.scale]) / "run"
    result_path = work / "result.json"
    if not result_path.exists():
        raise SystemExit(f"bench.profile: no benchmark run in {work}: run bench/run.py --scale {args.scale} first")
    result = json.loads(result_path.read_text())
    phase = result["phases"][args.run]
    out = [f"profile of {args.run} at scale {args.scale} ({result['conversations']:,} conversations, "
           f"{phase['wall_s']:.1f} s wall, {phase['user_s'] + phase['sys_s']:.1f} s CPU, "
           f"peak {phase['peak_rss_bytes'] / 1024 ** 3:.2f} GiB)", "", "steps (s): " + ", ".join(
               f"{k} {v:.1f}" for k, v in phase.get("steps", {}).items())]
    dbt = phase.get("dbt") or {}
    if dbt:
        out.append(f"dbt build: {dbt['elapsed_s']:.1f} s elapsed; node seconds by kind: " + ", ".join(
            f"{k} {v['seconds']:.1f} ({v['nodes']} nodes)" for k, v in dbt["by_kind"].items()))
    results = json.loads((work / f"{args.run}.run_results.json").read_text())["results"]
    models = sorted((n for n in results if n["unique_id"].startswith("model.")),
                    key=lambda n: -(n.get("execution_time") or 0.0))[:args.models]
    target = Path(json.loads((work / f"{args.run}.run_results.json").read_text())["args"]["target_path"])
    con = duckdb.connect(str(work / "warehouse" / "threec.duckdb"), read_only=True)
    try:
        for node in models:
            name = node["unique_id"].split(".")[-1]
            # unit tests compile under <model>.yml/ folders with the model's name: skip them
            compiled = next((p for p in target.joinpath("compiled").rglob(f"{name}.sql")
                             if "models" in p.parts and not any(part.endswith(".yml") for part in p.parts)), None)
            out += ["", f"== {name}: {node['execution_time']:.2f} s in dbt"]
            if compiled is None:
                out.append("   (no compiled SQL kept)")
                continue
            plan = "\n".join(str(r[1]) for r in con.execute("explain analyze " + compiled.read_text()).fetchall())
            total = re.search(r"Total Time: ([\d.]+)s", plan)
            out.append(f"   EXPLAIN ANALYZE total {total.group(1) if total else '?'} s; costliest operators:")
            out += [f"   {t:7.3f} s  {op}" for t, op in operators(plan, 6)]
            (work / f"explain_{name}.txt").write_text(plan)
    finally:
        con.close()
    text = "\n".join(out) + "\n"
    (work / "profile.txt").write_text(text)
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
