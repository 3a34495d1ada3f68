"""The checks, declared once. `threec checks render` writes them into the Great
Expectations file context under expectations/ (suites, validation definitions,
checkpoints); a test fails when the committed context drifts from this module."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from threec.checks import import_gx

FAIL, WARN = "fail", "warn"
DATASOURCE = "threec"


@dataclass(frozen=True)
class Check:
    name: str
    severity: str
    description: str
    min_value: float | None = None
    max_value: float | str | None = None  # a str names a run-time parameter (a dbt var)

    def bound(self, value: float | str | None) -> float | dict | None:
        return {"$PARAMETER": value} if isinstance(value, str) else value


CHECKS: tuple[Check, ...] = (
    Check("ingest_row_accounting", FAIL,
          "Every loaded file: rows delivered - rows in raw - rows quarantined is 0.", 0, 0),
    Check("mart_not_empty", FAIL, "Every mart has at least one row.", 1, None),
    Check("mart_key_unique", FAIL, "Every mart's key is unique: rows - distinct keys is 0.", 0, 0),
    Check("share_in_range", FAIL, "Every share or rate column of every mart: values outside [0, 1] count 0.", 0, 0),
    Check("unexplained_rate", WARN,
          "Unexplained C1->C3 escalation rate per team in the last three months is at most the threshold.",
          None, "unexplained_rate_threshold"),
    Check("practice_findings", WARN, "No practice-rule findings arose in the last 30 days.", None, 0),
    Check("quarantine_share", WARN, "Each loaded file's quarantined share of rows is at most the setting.",
          None, "quarantine_share_warn"),
)

# Keys of the marts the checks hold to "not empty" and "key unique".
MART_KEYS: dict[str, tuple[str, ...]] = {
    "fct_conversations": ("conversation_id",),
    "fct_requests": ("request_id",),
    "rpt_conversation_outcomes": ("period_type", "period", "conversation_type", "team_id"),
    "rpt_progression_matrix": ("period_type", "period", "first_conversation_type", "last_conversation_type"),
    "rpt_waiting_list": ("date", "team_id"),
    "rpt_escalation_rate": ("team_id", "month"),
    "dim_teams": ("team_id",),
    "fct_packages": ("package_id",),
    "rpt_savings": ("financial_year", "team_id", "saving_type"),
    "rpt_direct_payments": ("date",),
    "rpt_package_costs": ("financial_year", "service_type", "service_component", "delivery_mechanism"),
    "fct_delayed_days": ("month", "provider_code", "bed_type", "reason_code", "responsible_org"),
    "fct_delays": ("delay_id",),
    "rpt_delayed_transfers": ("month",),
    "rpt_discharge_delay_bands": ("month", "band"),
}


def suite_name(severity: str) -> str:
    return f"threec_{severity}"


def checkpoint_name(severity: str) -> str:
    return f"threec_{severity}_checks"


def asset_name(severity: str) -> str:
    return f"{severity}_facts"


def build_context(root: Path) -> None:
    """(Re)write the GX file context at ``root`` from CHECKS."""
    gx = import_gx()
    from great_expectations.expectations.row_conditions import Column

    if root.exists():
        shutil.rmtree(root)
    ctx = gx.get_context(mode="file", context_root_dir=str(root))
    ctx.variables.analytics_enabled = False
    ctx.variables.progress_bars = {"globally": False, "metric_calculations": False}
    ctx.variables.save()
    source = ctx.data_sources.add_pandas(DATASOURCE)
    for severity in (FAIL, WARN):
        batch = source.add_dataframe_asset(asset_name(severity)).add_batch_definition_whole_dataframe("latest")
        suite = ctx.suites.add(gx.ExpectationSuite(name=suite_name(severity), meta={"severity": severity}))
        for check in CHECKS:
            if check.severity != severity:
                continue
            suite.add_expectation(gx.expectations.ExpectColumnValuesToBeBetween(
                column="value", min_value=check.bound(check.min_value), max_value=check.bound(check.max_value),
                row_condition=Column("check") == check.name,
                description=check.description, meta={"check": check.name, "severity": severity},
                severity="critical" if severity == FAIL else "warning"))
        definition = ctx.validation_definitions.add(
            gx.ValidationDefinition(name=f"threec_{severity}_facts", data=batch, suite=suite))
        ctx.checkpoints.add(gx.Checkpoint(
            name=checkpoint_name(severity), validation_definitions=[definition],
            actions=[gx.checkpoint.UpdateDataDocsAction(name="update_data_docs")],
            result_format={"result_format": "COMPLETE"}))
    for stale in (root / "uncommitted", root / "plugins"):
        shutil.rmtree(stale, ignore_errors=True)


def describe_context(root: Path) -> dict:
    """What a context checks, without GX's generated ids: for comparing two contexts."""
    import json

    def load(folder: str) -> dict[str, dict]:
        return {p.stem: json.loads(p.read_text()) for p in sorted((root / folder).glob("*.json"))}

    suites = {name: sorted((e["meta"]["check"], e["severity"], json.dumps(e["kwargs"], sort_keys=True),
                            e.get("description")) for e in suite["expectations"])
              for name, suite in load("expectations").items()}
    checkpoints = {name: (sorted(v["name"] for v in cp["validation_definitions"]),
                          sorted(a["type"] for a in cp["actions"])) for name, cp in load("checkpoints").items()}
    definitions = {name: (vd["suite"]["name"], vd["data"]["asset"]["name"])
                   for name, vd in load("validation_definitions").items()}
    return {"suites": suites, "checkpoints": checkpoints, "validation_definitions": definitions}
