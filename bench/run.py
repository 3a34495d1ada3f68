"""threec's benchmark: the I/O floor, threec's full rebuild and daily delta, and a pandas
reference implementation, side by side on the same generated files.

    .venv/bin/python bench/run.py --scale {tiny,council,region,national}

Phases, each in its own measured child process (bench/measure.py), in this order:

1. floor         DuckDB reads every CSV of the full history into a table, nothing else
2. threec_full   `threec run --as-of 2025-03-31` on an empty warehouse (ingest, dbt, checks, publish)
3. pandas        the pandas reference computes the same facts from the same CSVs
   (compare)     its facts must equal threec's marts, row by row (not timed)
4. threec_delta  `threec run --as-of 2025-04-01`: the warehouse of step 2 plus a 0.5% delta
5. pandas_delta  the pandas reference as of 2025-04-01 (it has no incremental path: it
   (compare)     reads everything again); threec's marts after the delta must equal it
6. spark         (region scale by default; --spark / --no-spark) `threec spark-build` on the
   (compare)     warehouse of step 4: raw exported as Parquet, then the daily models built
                 by dbt on local Apache Spark; every table must equal DuckDB's

The data (bench/data.py) is generated once per scale under THREEC_BENCH_DIR (default
bench/.data/). Results go to bench/results/<scale>.json (the latest run without --patch),
bench/results/history/ (every run) and docs/benchmarks.md (not for --scale tiny, which
exists for the test suite). The last line printed is

    bench: scale=S floor_s=F threec_s=T pandas_s=P ratio_floor=T/F ratio_pandas=P/T delta_ratio=D/T peak_rss_gib=M

where M is threec's peak resident memory (the larger of its full and delta runs). The
exit status is non-zero when a phase fails or the pandas reference and threec differ.

By default the working tree's threec is measured. `--code REV` measures a commit instead
(exported with `git archive` under the bench data folder and put first on PYTHONPATH,
with THREEC_DBT_PROJECT_DIR pointing at its dbt project), so a benchmark is not broken
or skewed by edits in progress, and `--patch DIFF` applies a proposed change on top, so
what a change buys can be measured before it is committed. The benchmark's own modules
always come from bench/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import report  # noqa: E402
from bench.data import (  # noqa: E402
    DELTA_DATE, FULL_AS_OF, REPO, SCALES, bench_dir, ensure_data, landing_dir, scale_dir)

GIB = 1024 ** 3
# Phases run these files as scripts (not `-m bench.x` from the repository root), so with
# --code the snapshot on PYTHONPATH, not the working tree, is the threec they import.
BENCH = Path(__file__).resolve().parent
# Fixed keys for the benchmark's throwaway warehouses (synthetic data only).
BENCH_KEYS = {"THREEC_PSEUDONYM_KEY": "bench-pseudonym-key-synthetic-data-only-0001",
              "THREEC_VAULT_KEY": "bench-vault-key-synthetic-identifiers-only-0001"}
VERSIONED = ("duckdb", "pandas", "pyarrow", "numpy", "dbt-core", "dbt-duckdb", "great-expectations",
             "apache-airflow")


def say(text: str) -> None:
    print(text, flush=True)


def machine() -> dict:
    info = {"cores": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        info["cpu"] = re.search(r"model name\s*:\s*(.+)", cpuinfo).group(1).strip()
    except (OSError, AttributeError):
        info["cpu"] = platform.processor() or "unknown"
    try:
        kib = int(re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text()).group(1))
        info["ram_gib"] = round(kib / 1024 ** 2, 1)
    except (OSError, AttributeError):
        info["ram_gib"] = None
    return info


def versions() -> dict:
    out = {}
    for name in VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True).stdout.strip()
        out["threec"] = head + ("+uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        out["threec"] = None
    return out


def code_snapshot(rev: str, patches: list[Path]) -> tuple[Path, str]:
    """The tree of commit `rev` with `patches` (git diffs) applied, exported once into the
    bench data folder: a proposed change can be measured before it is committed."""
    try:
        sha = subprocess.run(["git", "rev-parse", "--verify", f"{rev}^{{commit}}"], cwd=REPO, capture_output=True,
                             text=True, check=True).stdout.strip()
    except subprocess.CalledProcessError:
        raise SystemExit(f"bench: --code {rev}: not a commit of this repository") from None
    texts = [p.read_bytes() for p in patches]
    name = sha + ("-" + hashlib.sha256(b"\0".join(texts)).hexdigest()[:12] if texts else "")
    target = bench_dir() / "code" / name
    if not (target / ".complete").exists():
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", "--format=tar", sha], cwd=REPO, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
        for path, text in zip(patches, texts):
            # The export sits inside this repository's work tree: without a ceiling git would
            # apply the diff to the repository (relative to its top) and skip the export.
            applied = subprocess.run(["git", "apply", "--verbose", "--whitespace=nowarn", "-"], cwd=target,
                                     input=text, capture_output=True,
                                     env={**os.environ, "GIT_CEILING_DIRECTORIES": str(target.parent)})
            if applied.returncode != 0 or b"Applied patch" not in applied.stderr:
                shutil.rmtree(target, ignore_errors=True)
                raise SystemExit(f"bench: --patch {path} does not apply to {sha[:10]}:\n"
                                 + applied.stderr.decode(errors="replace"))
        (target / ".complete").write_text(name + "\n")
    return target, name


def warm_page_cache(landing: Path) -> None:
    """Read every file once so each phase starts with the same (warm) page cache: the
    first phase would otherwise pay for the disk and the rest would not."""
    for path in sorted(landing.rglob("*.csv")):
        with path.open("rb") as fh:
            while fh.read(1 << 24):
                pass


class Runner:
    def __init__(self, work: Path, echo: bool, env: dict):
        self.work, self.echo, self.env = work, echo, env

    def measure(self, name: str, command: list[str], env: dict | None = None) -> dict:
        out, log = self.work / f"{name}.json", self.work / f"{name}.log"
        say(f"bench: {name}: {' '.join(Path(command[0]).name if i == 0 else c for i, c in enumerate(command))}")
        wrapper = [sys.executable, str(BENCH / "measure.py"), "--out", str(out), "--log", str(log)]
        if self.echo:
            wrapper.append("--echo")
        code = subprocess.run([*wrapper, "--", *command], cwd=REPO, env=env or self.env).returncode
        if not out.exists():
            raise SystemExit(f"bench: {name}: the measuring wrapper failed (exit {code})")
        result = json.loads(out.read_text())
        result["log"] = str(log)
        if result["exit_code"] != 0:
            tail = log.read_text(errors="replace").splitlines()[-25:]
            raise SystemExit(f"bench: {name} failed (exit {result['exit_code']}); last lines of {log}:\n"
                             + "\n".join(tail))
        say(f"bench: {name}: {result['wall_s']:.1f} s, peak {result['peak_rss_bytes'] / GIB:.2f} GiB")
        return result

    def compare(self, name: str, warehouse: Path, pandas_dir: Path) -> dict:
        out = self.work / f"{name}.json"
        proc = subprocess.run([sys.executable, str(BENCH / "compare.py"), "--warehouse", str(warehouse),
                               "--pandas", str(pandas_dir), "--out", str(out)], cwd=REPO,
                              capture_output=True, text=True)
        for line in proc.stdout.splitlines():
            say(f"bench: {name}: {line}")
        if not out.exists():
            raise SystemExit(f"bench: {name}: comparison failed to run:\n{proc.stderr[-3000:]}")
        facts = json.loads(out.read_text())
        return {"equal": proc.returncode == 0 and all(f["equal"] for f in facts.values()), "facts": facts}


    def compare_spark(self, env: dict) -> dict:
        """Spark's tables against DuckDB's, row by row (threec.spark_load --compare)."""
        proc = subprocess.run([sys.executable, "-m", "threec.spark_load", "--compare"], cwd=REPO, env=env,
                              capture_output=True, text=True)
        for line in proc.stdout.splitlines():
            say(f"bench: compare_spark: {line}")
        if proc.returncode not in (0, 1):
            raise SystemExit(f"bench: compare_spark failed to run:\n{proc.stderr[-3000:]}")
        return {"equal": proc.returncode == 0, "report": proc.stdout.strip().splitlines()[-1:]}


_INGEST_LINE = re.compile(r"\.csv: (?:[\d,]+ rows:|REJECTED)")


def threec_phases(log: Path) -> dict:
    """Seconds per step of a `threec run`, from the elapsed time stamped on its progress
    lines: start-up until its first line, ingest until the last file line, dbt until
    dbt's Done line, checks until the data-quality report is written, publish until the
    last published line, and the rest (headline queries, exit)."""
    stamps: list[tuple[float, str]] = []
    for line in log.read_text(errors="replace").splitlines():
        m = re.match(r"\[\s*([\d.]+)\] (.*)", line)
        if m:
            stamps.append((float(m.group(1)), m.group(2)))
    if not stamps:
        return {}

    def last(pred, default: float) -> float:
        found = [t for t, text in stamps if pred(text)]
        return found[-1] if found else default

    first = stamps[0][0]
    ingest_end = last(lambda s: bool(_INGEST_LINE.search(s)), first)
    dbt_end = last(lambda s: "dbt: Done." in s or "dbt: Completed" in s, ingest_end)
    checks_end = last(lambda s: "data-quality report" in s, dbt_end)
    publish_end = last(lambda s: " published " in s, checks_end)
    end = stamps[-1][0]
    points = [("startup", 0.0, first), ("ingest", first, ingest_end), ("dbt", ingest_end, dbt_end),
              ("checks", dbt_end, checks_end), ("publish", checks_end, publish_end), ("finish", publish_end, end)]
    return {name: round(max(b - a, 0.0), 2) for name, a, b in points}


def dbt_summary(work: Path, name: str, warehouse: Path, target: str | None = None) -> dict:
    """Keep dbt's run_results.json of a run (the next run overwrites it) and sum its node
    times by kind: how much of `dbt build` is models, data tests, unit tests, seeds. Node
    times overlap (dbt runs several at once), so they add up to more than the wall time."""
    source = warehouse.parent / ("dbt_target" if target is None else f"dbt_target_{target}") / "run_results.json"
    if not source.exists():
        return {}
    kept = work / f"{name}.run_results.json"
    shutil.copyfile(source, kept)
    results = json.loads(kept.read_text())
    kinds: dict[str, dict] = {}
    for node in results.get("results", []):
        kind = kinds.setdefault(node["unique_id"].split(".")[0], {"nodes": 0, "seconds": 0.0})
        kind["nodes"] += 1
        kind["seconds"] += node.get("execution_time") or 0.0
    slowest = sorted(results.get("results", []), key=lambda n: -(n.get("execution_time") or 0.0))[:12]
    return {
        "elapsed_s": round(results.get("elapsed_time") or 0.0, 2),
        "by_kind": {k: {"nodes": v["nodes"], "seconds": round(v["seconds"], 2)} for k, v in sorted(kinds.items())},
        "slowest": [[n["unique_id"], round(n.get("execution_time") or 0.0, 2)] for n in slowest],
    }


def pandas_stages(log: Path) -> dict:
    out: dict[str, float] = {}
    for line in log.read_text(errors="replace").splitlines():
        parse = re.search(r"CSV parsing ([\d.]+) s of it", line)
        if parse:
            out["csv_parse"] = round(out.get("csv_parse", 0.0) + float(parse.group(1)), 2)
        m = re.search(r"pandas: (read and validated|current|fct_\w+|wrote Parquet)[^:]*: ([\d.]+) s", line)
        if m:
            key = m.group(1).replace("read and validated", "read").replace("wrote Parquet", "write")
            out[key] = round(out.get(key, 0.0) + float(m.group(2)), 2)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="benchmark threec against the I/O floor and a pandas reference")
    parser.add_argument("--scale", required=True, choices=list(SCALES))
    parser.add_argument("--skip-delta-check", action="store_true",
                        help="do not rerun the pandas reference after the delta (saves its time at national scale)")
    parser.add_argument("--no-docs", action="store_true", help="do not write bench/results or docs/benchmarks.md")
    parser.add_argument("--echo", action="store_true", help="show every phase's output as it runs")
    parser.add_argument("--spark", action=argparse.BooleanOptionalAction, default=None,
                        help="also build the daily models on local Apache Spark after the delta and compare them "
                             "with DuckDB's (default: at region scale only)")
    parser.add_argument("--code", metavar="REV", help="benchmark threec as committed in REV (e.g. HEAD) instead of "
                        "the working tree")
    parser.add_argument("--patch", metavar="DIFF", type=Path, action="append", default=[],
                        help="with --code: apply this git diff on top (repeatable), to measure a proposed change")
    args = parser.parse_args(argv)
    scale = SCALES[args.scale]
    started = dt.datetime.now(dt.timezone.utc)
    base_env = os.environ.copy()
    code = "working tree"
    if args.patch and not args.code:
        parser.error("--patch needs --code (the commit to apply it to)")
    if args.code:
        tree, sha = code_snapshot(args.code, args.patch)
        base_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tree), os.environ.get("PYTHONPATH")]))
        base_env["THREEC_DBT_PROJECT_DIR"] = str(tree / "dbt_project")
        code = f"commit {sha[:10]}" + "".join(f" + {p.name}" for p in args.patch)
        say(f"bench: measuring threec as committed in {sha[:10]} ({tree})")
    data = ensure_data(scale, say, base_env)
    landing = landing_dir(scale)
    work = scale_dir(scale) / "run"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    warm_page_cache(landing)
    load_before = os.getloadavg()

    env = {k: v for k, v in base_env.items() if k not in ("THREEC_DEMO", "THREEC_VARS")}
    env.update(BENCH_KEYS)
    env.update({"THREEC_LANDING_DIR": str(landing), "THREEC_WAREHOUSE": str(work / "warehouse" / "threec.duckdb"),
                "THREEC_OUTPUT_DIR": str(work / "output"), "THREEC_RETURNS_DIR": str(work / "returns")})
    threec = str(Path(sys.executable).parent / "threec")
    py = sys.executable
    r = Runner(work, args.echo, base_env)
    phases: dict[str, dict] = {}
    phases["floor"] = r.measure("floor", [py, str(BENCH / "floor.py"), "--landing", str(landing), "--as-of",
                                          FULL_AS_OF.isoformat(), "--db", str(work / "floor.duckdb")])
    (work / "floor.duckdb").unlink(missing_ok=True)
    phases["threec_full"] = r.measure("threec_full", [threec, "run", "--as-of", FULL_AS_OF.isoformat()], env)
    phases["threec_full"]["steps"] = threec_phases(work / "threec_full.log")
    phases["threec_full"]["dbt"] = dbt_summary(work, "threec_full", Path(env["THREEC_WAREHOUSE"]))
    phases["pandas"] = r.measure("pandas", [py, str(BENCH / "pandas_reference.py"), "--landing", str(landing),
                                            "--as-of", FULL_AS_OF.isoformat(), "--out", str(work / "pandas_full")])
    phases["pandas"]["stages"] = pandas_stages(work / "pandas.log")
    warehouse = Path(env["THREEC_WAREHOUSE"])
    checks = {"full": r.compare("compare_full", warehouse, work / "pandas_full")}
    phases["threec_delta"] = r.measure("threec_delta", [threec, "run", "--as-of", DELTA_DATE.isoformat()], env)
    phases["threec_delta"]["steps"] = threec_phases(work / "threec_delta.log")
    phases["threec_delta"]["dbt"] = dbt_summary(work, "threec_delta", Path(env["THREEC_WAREHOUSE"]))
    if not args.skip_delta_check:
        phases["pandas_delta"] = r.measure("pandas_delta", [
            py, str(BENCH / "pandas_reference.py"), "--landing", str(landing), "--as-of", DELTA_DATE.isoformat(),
            "--out", str(work / "pandas_delta")])
        checks["delta"] = r.compare("compare_delta", warehouse, work / "pandas_delta")
    if args.spark if args.spark is not None else scale.name == "region":
        spark_env = {**env, "THREEC_SPARK_DIR": str(work / "spark")}
        phases["spark"] = r.measure("spark", [threec, "spark-build", "--as-of", DELTA_DATE.isoformat()], spark_env)
        phases["spark"]["dbt"] = dbt_summary(work, "spark", warehouse, target="spark")
        checks["spark"] = r.compare_spark(spark_env)

    f, t, p = (phases[k]["wall_s"] for k in ("floor", "threec_full", "pandas"))
    d = phases["threec_delta"]["wall_s"]
    peak = max(phases["threec_full"]["peak_rss_bytes"], phases["threec_delta"]["peak_rss_bytes"]) / GIB
    conversations = checks["full"]["facts"]["fct_conversations"]["threec_rows"]
    result = {
        "scale": scale.name, "people": scale.people, "started_utc": started.isoformat(timespec="seconds"),
        "conversations": conversations,
        "landing_bytes": data["full_bytes"], "delta": data["delta"], "generate_s": data.get("generate_s"),
        "phases": phases, "equal": {k: v["equal"] for k, v in checks.items()}, "comparisons": checks,
        "ratio_floor": round(t / f, 2), "ratio_pandas": round(p / t, 2), "delta_ratio": round(d / t, 3),
        "peak_rss_gib": round(peak, 2),
        "machine": machine(), "versions": {**versions(), "threec_measured": code},
        "load_average": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in os.getloadavg()]},
        "duckdb_settings": {k: os.environ[k] for k in ("THREEC_DUCKDB_THREADS", "THREEC_DUCKDB_MEMORY_LIMIT")
                            if os.environ.get(k)},
    }
    (work / "result.json").write_text(json.dumps(result, indent=2))
    if scale.name != "tiny" and not args.no_docs:
        results_dir = REPO / "bench" / "results"
        results_dir.mkdir(exist_ok=True)
        if not args.patch:  # a proposed change is an experiment: on record in history/ only
            (results_dir / f"{scale.name}.json").write_text(json.dumps(result, indent=2) + "\n")
        # every run also kept under history/, so what each change bought stays on record
        history = results_dir / "history"
        history.mkdir(exist_ok=True)
        stamp = started.strftime("%Y%m%dT%H%M%SZ")
        (history / f"{scale.name}-{stamp}.json").write_text(json.dumps(
            {k: v for k, v in result.items() if k != "comparisons"}, indent=2) + "\n")
        written = report.update_docs(results_dir, REPO / "docs")
        say(f"bench: wrote {', '.join(str(w.relative_to(REPO)) for w in written)}")
    ok = all(result["equal"].values())
    if not ok:
        say("bench: MISMATCH: the pandas reference and threec's marts differ (see above and "
            f"{work}/compare_*.json)")
    say(f"bench: scale={scale.name} floor_s={f:.2f} threec_s={t:.2f} pandas_s={p:.2f} "
        f"ratio_floor={t / f:.2f} ratio_pandas={p / t:.2f} delta_ratio={d / t:.3f} peak_rss_gib={peak:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
