"""Run the GX checkpoints on the facts frames and report what they found."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

from threec.checks import import_gx
from threec.checks.definitions import CHECKS, FAIL, WARN, checkpoint_name
from threec.checks.facts import facts
from threec.config import REPO_ROOT, Settings
from threec.errors import ThreecError
from threec.files import atomic_write_text
from threec.warehouse import connect

log = logging.getLogger("threec.checks")
CONTEXT_DIR = REPO_ROOT / "expectations"
SAMPLE = 50


class ChecksFailed(ThreecError):
    """A fail-severity check did not pass: publishing stops, the last good files stay."""


@dataclass
class CheckResult:
    name: str
    severity: str
    description: str
    success: bool
    checked: int
    failing_count: int
    failing: list[dict] = field(default_factory=list)  # subject and value, first SAMPLE


@dataclass
class CheckReport:
    run_id: str
    as_of: str
    results: list[CheckResult]
    data_docs: str | None = None
    report_path: str | None = None

    @property
    def failed(self) -> list[CheckResult]:
        return [r for r in self.results if r.severity == FAIL and not r.success]

    @property
    def warnings(self) -> list[CheckResult]:
        return [r for r in self.results if r.severity == WARN and not r.success]

    def lines(self) -> list[str]:
        out = []
        for r in self.results:
            if not r.success:
                subjects = ", ".join(f"{f['subject']} ({f['value']:g})" for f in r.failing[:5])
                more = f" and {r.failing_count - 5} more" if r.failing_count > 5 else ""
                out.append(f"{r.severity.upper()} {r.name}: {r.failing_count} of {r.checked}: {subjects}{more}")
        return out

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "failed": [r.name for r in self.failed],
                           "warnings": [r.name for r in self.warnings]}, indent=2, default=str)


def _context(settings: Settings):
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    gx = import_gx()

    work = settings.state_dir / "gx"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(CONTEXT_DIR, work)
    return gx.get_context(mode="file", context_root_dir=str(work)), work


def run_checks(settings: Settings, as_of: dt.date, run_id: str, progress=log.info) -> CheckReport:
    con = connect(settings, read_only=True)
    try:
        frames = facts(con, as_of)
    finally:
        con.close()
    params = {k: v for k, v in settings.dbt_vars().items() if isinstance(v, (int, float))}
    ctx, work = _context(settings)
    described = {c.name: c for c in CHECKS}
    results: list[CheckResult] = []
    for severity in (FAIL, WARN):
        frame = frames[severity].reset_index(drop=True)
        outcome = ctx.checkpoints.get(checkpoint_name(severity)).run(
            batch_parameters={"dataframe": frame}, expectation_parameters=params)
        for validation in outcome.run_results.values():
            for res in validation.results:
                name = res.expectation_config.meta["check"]
                idx = res.result.get("unexpected_index_list") or []
                failing = [{"subject": str(frame.loc[i, "subject"]), "value": float(frame.loc[i, "value"])}
                           for i in idx[:SAMPLE]]
                results.append(CheckResult(
                    name, severity, described[name].description, bool(res.success),
                    int(res.result.get("element_count") or 0), int(res.result.get("unexpected_count") or 0),
                    failing))
    report = CheckReport(run_id, as_of.isoformat(), results)
    report.data_docs = _publish_data_docs(settings, work)
    dq_dir = settings.output_dir / "dq"
    dq_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(dq_dir / "checks.json", report.to_json())
    passed = sum(r.success for r in results)
    progress(f"checks: {passed} of {len(results)} passed, {len(report.failed)} failed, "
             f"{len(report.warnings)} warnings")
    for line in report.lines():
        progress(f"  {line}")
    return report


def _publish_data_docs(settings: Settings, work: Path) -> str | None:
    site = work / "uncommitted" / "data_docs" / "local_site"
    if not site.is_dir():
        return None
    target = settings.output_dir / "dq" / "data_docs"
    staging = target.with_name(".data_docs.partial")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(site, staging)
    old = target.with_name(".data_docs.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return str(target / "index.html")

