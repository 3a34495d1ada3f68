"""The `threec` command."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
from pathlib import Path

from threec.errors import ThreecError

log = logging.getLogger("threec")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _var(text: str) -> tuple[str, object]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"--var takes NAME=VALUE, got {text!r}")
    name, value = text.split("=", 1)
    try:
        return name, json.loads(value)
    except json.JSONDecodeError:
        return name, value


def _settings(args: argparse.Namespace, demo: bool = False):
    from threec.config import load_settings
    overrides: dict[str, str | None] = {}
    if getattr(args, "var", None):
        overrides["THREEC_VARS"] = json.dumps(dict(args.var))
    if demo:
        overrides["THREEC_DEMO"] = "1"
    if getattr(args, "landing", None):
        overrides["THREEC_LANDING_DIR"] = str(args.landing)
    return load_settings(overrides)


def cmd_run(args: argparse.Namespace) -> int:
    from threec.pipeline import run
    summary = run(_settings(args), args.as_of, full_refresh=args.full_refresh)
    print("\n".join(summary.lines()))
    return 0


def cmd_returns(args: argparse.Namespace) -> int:
    from threec.returns import parse_year, run_returns
    summary = run_returns(_settings(args), parse_year(args.year), args.as_of)
    print("\n".join(summary.lines()))
    return 0


def cmd_unit_tests(args: argparse.Namespace) -> int:
    from threec.pipeline import default_as_of, unit_test_step
    settings = _settings(args)
    unit_test_step(settings, args.as_of or default_as_of(settings))
    print("dbt unit tests: all passed")
    return 0


def cmd_spark_build(args: argparse.Namespace) -> int:
    from threec.pipeline import default_as_of
    from threec.spark_load import build_on_spark
    settings = _settings(args)
    as_of = args.as_of or default_as_of(settings)
    build_on_spark(settings, as_of)
    print(f"threec spark-build: the daily models built on Spark for {as_of}; tables under {settings.spark_dir}/warehouse")
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from threec.generate import generate
    settings = _settings(args, demo=True)
    landing = settings.landing_dir
    if landing.exists() and any(landing.iterdir()) and not args.force:
        raise ThreecError(f"{landing} is not empty: pass --force to add the synthetic council's extracts to it")
    summary = generate(landing, people=args.people, seed=args.seed, progress=log.info)
    print(f"generated a synthetic council in {landing}:")
    print(summary.describe())
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from threec.airflow_runner import dags_test
    from threec.pipeline import default_as_of, headline
    settings = _settings(args, demo=True)
    if not settings.landing_dir.exists() or not any(settings.landing_dir.iterdir()):
        from threec.generate import generate
        log.info("generating the demo council into %s", settings.landing_dir)
        generate(settings.landing_dir, progress=log.info)
    as_of = default_as_of(settings)
    dags_test(settings, "threec_daily", as_of)
    print(f"threec demo: threec_daily ran through Airflow for {as_of}")
    for key, value in headline(settings).items():
        print(f"  {key}: {value}")
    from threec.publish import current_dir
    print(f"  published Parquet: {current_dir(settings)}")
    print(f"  warehouse: {settings.warehouse}")
    return 0


def cmd_contract(args: argparse.Namespace) -> int:
    from threec.config import REPO_ROOT
    from threec.render import render, stale
    if args.action == "render":
        for path in render(REPO_ROOT):
            print(f"wrote {path.relative_to(REPO_ROOT)}")
        return 0
    out_of_date = stale(REPO_ROOT)
    for path in out_of_date:
        print(f"out of date: {path.relative_to(REPO_ROOT)} (run `threec contract render`)")
    return 1 if out_of_date else 0


def cmd_checks(args: argparse.Namespace) -> int:
    from threec.checks.definitions import build_context
    from threec.checks.runner import CONTEXT_DIR
    build_context(CONTEXT_DIR)
    print(f"wrote the Great Expectations context in {CONTEXT_DIR}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    # -q works before or after the command name.
    parser = argparse.ArgumentParser(prog="threec", description=__doc__)
    parser.add_argument("-q", "--quiet", dest="quiet_first", action="store_true", help=argparse.SUPPRESS)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", help="print only the summary and errors")
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=help, parents=[common])

    p = command("run", "ingest new extracts, build the warehouse, publish (the daily run)")
    p.add_argument("--as-of", type=_date, help="date the figures are true at (default: the latest extract)")
    p.add_argument("--var", type=_var, action="append", help="override a metric setting, e.g. --var "
                   "next_conversation_window_days=21")
    p.add_argument("--full-refresh", action="store_true", help="rebuild every table from raw instead of only "
                   "what changed since the last build (threec decides that itself when it must)")
    p.set_defaults(func=cmd_run)

    p = command("returns", "write a year's statutory returns (CLD file, validation, ASCOF, SALT, ASC-FR) "
                           "under THREEC_RETURNS_DIR/<year>/")
    p.add_argument("--year", required=True, help="financial year, e.g. 2024-25 (1 April 2024 to 31 March 2025)")
    p.add_argument("--as-of", type=_date, help="date the data is taken as of (default: the latest extract); "
                   "must be on or after the year end")
    p.add_argument("--var", type=_var, action="append", help="override a setting, e.g. --var cld_la_code=E06000022")
    p.set_defaults(func=cmd_returns)

    p = command("unit-tests", "run the dbt unit tests of the daily models against the built warehouse "
                              "(the daily run leaves them out; CI runs them)")
    p.add_argument("--as-of", type=_date, help="as-of date for the build (default: the latest extract)")
    p.set_defaults(func=cmd_unit_tests)

    p = command("spark-build", "export the ingested raw tables and build the daily models with Apache Spark "
                               "(dbt target spark; docs/spark.md)")
    p.add_argument("--as-of", type=_date, help="as-of date for the build (default: the latest extract)")
    p.set_defaults(func=cmd_spark_build)

    p = command("generate", "write the synthetic demo council's extracts into the landing folder")
    p.add_argument("--people", type=int, default=4000, help="people in the council (default 4000)")
    p.add_argument("--seed", type=int, default=3)
    p.add_argument("--landing", type=Path, help="landing folder (default THREEC_LANDING_DIR)")
    p.add_argument("--force", action="store_true", help="write into a landing folder that is not empty")
    p.set_defaults(func=cmd_generate)

    p = command("demo", "run threec_daily through Airflow on the demo council")
    p.set_defaults(func=cmd_demo)

    p = command("contract", "render or check the files generated from the contract")
    p.add_argument("action", choices=["render", "check"])
    p.set_defaults(func=cmd_contract)

    p = command("checks", "regenerate the Great Expectations suites and checkpoints in expectations/")
    p.add_argument("action", choices=["render"])
    p.set_defaults(func=cmd_checks)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Progress is threec's own INFO lines; libraries (GX, dbt adapters) speak only at WARNING.
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s",
                        datefmt="%H:%M:%S", stream=sys.stderr)
    logging.getLogger("threec").setLevel(logging.WARNING if args.quiet or args.quiet_first else logging.INFO)
    try:
        return args.func(args)
    except ThreecError as exc:
        print(f"threec: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("threec: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
