"""The benchmark's part of docs/benchmarks.md (between two marker comments, so the
hand-written method and findings around it stay) and its chart, docs/benchmarks.svg,
from every bench/results/<scale>.json. The chart is plain SVG written here, so the
benchmark needs no plotting library."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

START = "<!-- bench:results:start (written by bench/run.py; edit outside these markers) -->"
END = "<!-- bench:results:end -->"
ORDER = ("tiny", "council", "region", "national")
GIB = 1024 ** 3
STEPS = ("startup", "ingest", "dbt", "checks", "publish", "finish")
COLOURS = {"floor": "#7f7f7f", "pandas": "#1f77b4", "startup": "#c7c7c7", "ingest": "#ff7f0e", "dbt": "#2ca02c",
           "checks": "#9467bd", "publish": "#8c564b", "finish": "#e377c2"}


def history(results_dir: Path) -> str:
    """One line per recorded run, oldest first: what was measured, how busy the machine was."""
    runs = [json.loads(p.read_text()) for p in sorted((results_dir / "history").glob("*.json"))]
    if not runs:
        return "(none yet)"
    lines = ["| started (UTC) | scale | threec measured | load before | floor s | threec s | pandas s | delta s "
             "| ratio_floor | ratio_pandas | delta_ratio | peak GiB | equal |",
             "|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|"]
    for r in sorted(runs, key=lambda r: r["started_utc"]):
        ph = r["phases"]
        lines.append(
            f"| {r['started_utc']} | {r['scale']} | {r['versions'].get('threec_measured')} "
            f"| {r.get('load_average', {}).get('before', ['?'])[0]} | {_s(ph['floor']['wall_s'])} "
            f"| {_s(ph['threec_full']['wall_s'])} | {_s(ph['pandas']['wall_s'])} | {_s(ph['threec_delta']['wall_s'])} "
            f"| {r['ratio_floor']:.1f} | {r['ratio_pandas']:.2f} | {r['delta_ratio']:.2f} | {r['peak_rss_gib']:.2f} "
            f"| {'yes' if all(r['equal'].values()) else 'NO'} |")
    return "\n".join(lines)


def load(results_dir: Path) -> list[dict]:
    found = {p.stem: json.loads(p.read_text()) for p in results_dir.glob("*.json")}  # not history/
    return [found[s] for s in ORDER if s in found]


def _gib(b: float) -> str:
    return f"{b / GIB:.2f}"


def _s(x: float) -> str:
    return f"{x:,.1f}" if x >= 10 else f"{x:.2f}"


def table(results: list[dict]) -> str:
    lines = [
        "| scale | conversations | CSV (full history) | floor s | threec full s | pandas s | threec delta s "
        "| ratio_floor (≤ 5) | ratio_pandas (≥ 3) | delta_ratio (≤ 0.15) | threec peak GiB (≤ 6) | pandas peak GiB "
        "| facts equal |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for r in results:
        ph = r["phases"]
        equal = "yes" if all(r["equal"].values()) else "**NO**"
        lines.append(
            f"| {r['scale']} | {r['conversations']:,} | {r['landing_bytes'] / 1e6:,.0f} MB | {_s(ph['floor']['wall_s'])} "
            f"| {_s(ph['threec_full']['wall_s'])} | {_s(ph['pandas']['wall_s'])} | {_s(ph['threec_delta']['wall_s'])} "
            f"| {r['ratio_floor']:.1f} | {r['ratio_pandas']:.2f} | {r['delta_ratio']:.2f} | {r['peak_rss_gib']:.2f} "
            f"| {_gib(ph['pandas']['peak_rss_bytes'])} | {equal} |")
    return "\n".join(lines)


def cpu_table(results: list[dict]) -> str:
    """CPU seconds (user + system, the whole process tree): less disturbed than wall time
    when other work shares the machine, though not immune to it."""
    keys = (("floor", "floor"), ("threec_full", "threec full"), ("pandas", "pandas"),
            ("threec_delta", "threec delta"), ("pandas_delta", "pandas after delta"))
    lines = ["| scale | " + " | ".join(label for _, label in keys) + " | the three ratios on CPU seconds |",
             "|---|" + "--:|" * len(keys) + "---|"]
    for r in results:
        ph = r["phases"]
        cpu = {k: ph[k]["user_s"] + ph[k]["sys_s"] for k, _ in keys if k in ph}
        ratios = (f"floor {cpu['threec_full'] / cpu['floor']:.1f}, pandas {cpu['pandas'] / cpu['threec_full']:.2f}, "
                  f"delta {cpu['threec_delta'] / cpu['threec_full']:.2f}")
        lines.append(f"| {r['scale']} | " + " | ".join(
            f"{_s(cpu[k])} ({_s(ph[k]['wall_s'])})" if k in ph else "-" for k, _ in keys) + f" | {ratios} |")
    return "\n".join(lines)


def steps_table(results: list[dict]) -> str:
    lines = ["| scale | run | " + " | ".join(STEPS) + " | total | CPU s (user+sys) | peak GiB |",
             "|---|---|" + "--:|" * (len(STEPS) + 3)]
    for r in results:
        for key, label in (("threec_full", "full"), ("threec_delta", "delta")):
            ph = r["phases"][key]
            steps = ph.get("steps", {})
            lines.append(f"| {r['scale']} | {label} | " + " | ".join(_s(steps.get(s, 0.0)) for s in STEPS)
                         + f" | {_s(ph['wall_s'])} | {_s(ph['user_s'] + ph['sys_s'])} | {_gib(ph['peak_rss_bytes'])} |")
    return "\n".join(lines)


def dbt_table(results: list[dict]) -> str:
    kinds = ("model", "test", "unit_test", "seed")
    lines = ["| scale | run | dbt elapsed s | " + " | ".join(f"{k} s (nodes)" for k in kinds) + " | slowest nodes |",
             "|---|---|--:|" + "--:|" * len(kinds) + "---|"]
    for r in results:
        for key, label in (("threec_full", "full"), ("threec_delta", "delta")):
            d = r["phases"][key].get("dbt")
            if not d:
                continue
            by = d["by_kind"]
            slow = ", ".join(f"{n.split('.')[-1]} {t:.1f}" for n, t in d["slowest"][:4])
            lines.append(f"| {r['scale']} | {label} | {_s(d['elapsed_s'])} | "
                         + " | ".join(f"{_s(by[k]['seconds'])} ({by[k]['nodes']})" if k in by else "-" for k in kinds)
                         + f" | {slow} |")
    return "\n".join(lines)


def pandas_table(results: list[dict]) -> str:
    keys = ("read", "csv_parse", "current", "fct_conversations", "fct_requests", "fct_packages", "fct_delayed_days",
            "write")
    lines = ["| scale | read and validate | of it CSV parsing | " + " | ".join(keys[2:])
             + " | total (with start-up) | peak GiB |", "|---|" + "--:|" * (len(keys) + 2)]
    for r in results:
        ph = r["phases"]["pandas"]
        st = ph.get("stages", {})
        lines.append(f"| {r['scale']} | " + " | ".join(_s(st.get(k, 0.0)) for k in keys)
                     + f" | {_s(ph['wall_s'])} | {_gib(ph['peak_rss_bytes'])} |")
    return "\n".join(lines)


def delta_table(results: list[dict]) -> str:
    lines = ["| scale | delta rows | of current records | modified | new | deleted |", "|---|--:|--:|--:|--:|--:|"]
    for r in results:
        d = r["delta"]
        ents = d["entities"].values()
        lines.append(f"| {r['scale']} | {d['rows']:,} | {100 * d['share']:.2f}% | {sum(e['modified'] for e in ents):,} "
                     f"| {sum(e['new'] for e in ents):,} | {sum(e['deleted'] for e in ents):,} |")
    return "\n".join(lines)


def latest_spark_runs(results_dir: Path) -> list[dict]:
    """Per scale, the latest recorded run that had the Spark phase (a later run may have
    left it out with --no-spark)."""
    runs = [json.loads(p.read_text()) for p in (results_dir / "history").glob("*.json")]
    latest: dict[str, dict] = {}
    for r in sorted(runs, key=lambda r: r["started_utc"]):
        if "spark" in r["phases"]:
            latest[r["scale"]] = r
    return [latest[s] for s in sorted(latest, key=lambda s: ORDER.index(s) if s in ORDER else 99)]


def spark_table(measured: list[dict]) -> str:
    """The daily models built on local Spark beside DuckDB's build of the same day. No CPU
    seconds: the JVM that PySpark starts is not a child the measuring wrapper waits for."""
    if not measured:
        return "(not measured at these scales; `bench/run.py --spark`)"
    lines = ["| scale | run | `threec spark-build` s (export + dbt) | of it `dbt build` s | DuckDB's `dbt build` s "
             "(same day) | peak GiB (dbt's process tree, the JVM with it) | nodes passed | tables equal to DuckDB's |",
             "|---|---|--:|--:|--:|--:|--:|---|"]
    for r in measured:
        spark, duck = r["phases"]["spark"], r["phases"]["threec_delta"]
        nodes = sum(k["nodes"] for k in spark.get("dbt", {}).get("by_kind", {}).values())
        lines.append(
            f"| {r['scale']} | {r['started_utc'][:16]} | {_s(spark['wall_s'])} "
            f"| {_s(spark.get('dbt', {}).get('elapsed_s', 0.0))} "
            f"| {_s(duck.get('dbt', {}).get('elapsed_s', 0.0))} | {_gib(spark['peak_rss_bytes'])} | {nodes} "
            f"| {'yes' if r['equal'].get('spark') else 'NO'} |")
    return "\n".join(lines)


def environment(results: list[dict]) -> str:
    lines = []
    for r in results:
        m, v = r["machine"], r["versions"]
        load = r.get("load_average", {})
        settings = ", ".join(f"{k}={val}" for k, val in r.get("duckdb_settings", {}).items()) or "threec defaults"
        lines.append(
            f"- **{r['scale']}** ({r['started_utc']}): {m['cores']} cores ({m['cpu']}), {m['ram_gib']} GiB RAM, "
            f"{m['platform']}, Python {m['python']}; threec {v.get('threec_measured') or v.get('threec')} (repository at {v.get('threec')}), DuckDB {v.get('duckdb')}, "
            f"pandas {v.get('pandas')}, pyarrow {v.get('pyarrow')}, dbt-core {v.get('dbt-core')}, "
            f"dbt-duckdb {v.get('dbt-duckdb')}, Great Expectations {v.get('great-expectations')}, "
            f"Airflow {v.get('apache-airflow')}; DuckDB settings: {settings}; load average (1/5/15 min) "
            f"before {load.get('before')}, after {load.get('after')}.")
    return "\n".join(lines)


def chart(results: list[dict]) -> str:
    """One block per scale: the floor, threec's full and delta runs (split into steps)
    and pandas, as bars on the scale's own axis (scales differ tenfold)."""
    width, left, bar_h, gap, right = 880, 150, 18, 6, 90
    plot_w = width - left - right
    rows = []
    y = 40
    for r in results:
        ph = r["phases"]
        bars = [("DuckDB floor", [("floor", ph["floor"]["wall_s"])]),
                ("threec full", [(s, ph["threec_full"].get("steps", {}).get(s, 0.0)) for s in STEPS]),
                ("threec delta", [(s, ph["threec_delta"].get("steps", {}).get(s, 0.0)) for s in STEPS]),
                ("pandas", [("pandas", ph["pandas"]["wall_s"])])]
        totals = [ph["floor"]["wall_s"], ph["threec_full"]["wall_s"], ph["threec_delta"]["wall_s"],
                  ph["pandas"]["wall_s"]]
        top = max(totals) or 1.0
        rows.append(f'<text x="10" y="{y}" font-weight="bold">{escape(r["scale"])}: '
                    f'{r["conversations"]:,} conversations</text>')
        y += 8
        for (label, parts), total in zip(bars, totals):
            rows.append(f'<text x="{left - 8}" y="{y + bar_h - 5}" text-anchor="end">{label}</text>')
            x = left
            known = sum(v for _, v in parts)
            for name, v in parts:
                # the steps come from progress lines; scale them to the measured wall time
                w = plot_w * (v / known * total if known else 0) / top
                if w > 0:
                    rows.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                                f'fill="{COLOURS.get(name, "#999")}"><title>{name}: {v:.1f} s</title></rect>')
                x += w
            rows.append(f'<text x="{x + 6:.1f}" y="{y + bar_h - 5}">{total:,.1f} s</text>')
            y += bar_h + gap
        y += 22
    legend_x = left
    legend = []
    for name in ("floor", *STEPS, "pandas"):
        legend.append(f'<rect x="{legend_x}" y="{y}" width="12" height="12" fill="{COLOURS[name]}"/>'
                      f'<text x="{legend_x + 16}" y="{y + 11}">{name}</text>')
        legend_x += 16 + 8 * len(name) + 18
    height = y + 30
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'font-family="sans-serif" font-size="12">\n'
            f'<rect width="{width}" height="{height}" fill="white"/>\n'
            f'<text x="10" y="18" font-size="14" font-weight="bold">Wall time per phase (each scale on its own '
            f'axis; threec split into its steps)</text>\n' + "\n".join(rows + legend) + "\n</svg>\n")


def section(results: list[dict], results_dir: Path) -> str:
    return "\n\n".join([
        START,
        "### Results",
        table(results),
        "![Wall time per phase](benchmarks.svg)",
        "### CPU seconds per phase (user + system of the phase's processes; wall seconds in brackets)",
        cpu_table(results),
        "### threec's steps (seconds, from its progress lines)",
        steps_table(results),
        "### Inside `dbt build` (node seconds summed over dbt's threads, from run_results.json)",
        dbt_table(results),
        "### The pandas reference's stages (seconds)",
        pandas_table(results),
        "### The delta",
        delta_table(results),
        "### The daily models on Apache Spark (docs/spark.md)",
        spark_table(latest_spark_runs(results_dir)),
        "### Machine and versions",
        environment(results),
        "### Every recorded run (bench/results/history/)",
        history(results_dir),
        END,
    ])


def update_docs(results_dir: Path, docs_dir: Path) -> list[Path]:
    results = load(results_dir)
    svg = docs_dir / "benchmarks.svg"
    svg.write_text(chart(results))
    doc = docs_dir / "benchmarks.md"
    text = doc.read_text() if doc.exists() else "# Benchmarks\n\n" + START + "\n" + END + "\n"
    if START not in text or END not in text:
        text = text.rstrip() + "\n\n" + START + "\n" + END + "\n"
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    doc.write_text(before + section(results, results_dir) + after)
    return [doc, svg]
