"""Great Expectations checks: both severities, what each fail check catches, and that a
failed check leaves the last good published files exactly as they were."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from threec.checks.definitions import CHECKS, build_context, describe_context
from threec.checks.runner import CONTEXT_DIR, ChecksFailed, run_checks
from threec.pipeline import run
from threec.publish import current_dir
from threec.warehouse import connect


pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("checks")]
QUIET = lambda _m: None  # noqa: E731


def test_committed_gx_context_matches_the_definitions(tmp_path):
    build_context(tmp_path / "gx")
    assert describe_context(CONTEXT_DIR) == describe_context(tmp_path / "gx")
    checks = {c for suite in describe_context(CONTEXT_DIR)["suites"].values() for c, *_ in suite}
    assert checks == {c.name for c in CHECKS}


@pytest.fixture(scope="module")
def built(built_council):
    return built_council


def _copy_of(built_settings, small_council, tmp: Path):
    """A copy of the built warehouse to tamper with."""
    settings = small_council.settings_in(tmp)
    settings.warehouse.parent.mkdir(parents=True)
    shutil.copy(built_settings.warehouse, settings.warehouse)
    return settings


def test_warnings_let_the_run_finish_and_are_reported(built):
    settings, summary = built
    assert summary.published.tables  # published despite warnings
    assert not summary.checks.failed
    warned = {r.name for r in summary.checks.warnings}
    assert "unexplained_rate" in warned, "the demo council has teams over the 20% threshold"
    saved = json.loads((settings.output_dir / "dq" / "checks.json").read_text())
    assert set(saved["warnings"]) == warned and saved["failed"] == []
    alerts = list((settings.output_dir / "dq" / "alerts").glob("checks-*.json"))
    assert alerts and json.loads(alerts[0].read_text())["level"] == "warnings"
    assert (settings.output_dir / "dq" / "data_docs" / "index.html").is_file()


@pytest.mark.parametrize("check,tamper", [
    # fct_requests is a view over int_request_outcomes
    ("mart_key_unique", "insert into intermediate.int_request_outcomes "
                        "select * from intermediate.int_request_outcomes limit 1"),
    ("share_in_range", "update marts.rpt_conversation_outcomes set closed_positive_share = 1.5 "
                       "where rowid = (select min(rowid) from marts.rpt_conversation_outcomes)"),
    ("mart_not_empty", "delete from marts.rpt_waiting_list"),
    ("ingest_row_accounting", "delete from raw.people where rowid = (select min(rowid) from raw.people)"),
])
def test_each_fail_check_catches_its_problem(built, small_council, tmp_path, check, tamper):
    settings = _copy_of(built[0], small_council, tmp_path)
    con = connect(settings)
    con.execute(tamper)
    con.close()
    report = run_checks(settings, small_council.last_extract, "tampered", progress=QUIET)
    failed = {r.name: r for r in report.failed}
    assert set(failed) == {check}
    assert failed[check].failing_count >= 1 and failed[check].failing


def _fingerprint(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_a_failed_check_stops_publishing_and_keeps_the_last_good_files(built, small_council, tmp_path):
    good = _copy_of(built[0], small_council, tmp_path)
    shutil.copytree(built[0].output_dir, good.output_dir)
    # the copy's `current` link is relative, so it still points into the copied versions
    before_target = current_dir(good).resolve()
    before = _fingerprint(current_dir(good))
    con = connect(good)
    con.execute("delete from raw.conversations where rowid = (select min(rowid) from raw.conversations)")
    con.close()
    with pytest.raises(ChecksFailed, match="ingest_row_accounting"):
        run(good, small_council.last_extract, progress=QUIET)
    assert current_dir(good).resolve() == before_target
    assert _fingerprint(current_dir(good)) == before
    saved = json.loads((good.output_dir / "dq" / "checks.json").read_text())
    assert saved["failed"] == ["ingest_row_accounting"]
    report_html = (good.output_dir / "dq" / "index.html").read_text()
    assert "Checks FAILED" in report_html


def test_report_names_every_team_and_has_a_chart_per_team(built):
    settings, _ = built
    page = (settings.output_dir / "dq" / "index.html").read_text()
    con = connect(settings, read_only=True)
    names = [r[0] for r in con.execute("select team_name from marts.dim_teams").fetchall()]
    con.close()
    import html
    assert names and all(html.escape(n) in page for n in names)
    assert page.count('<svg class="chart"') == len(names)
    assert "http://" not in page and "https://" not in page  # works offline: nothing fetched


def test_worklist_csv_holds_no_personal_data_and_no_formulas(built):
    settings, _ = built
    import csv
    rows = list(csv.reader((settings.output_dir / "dq" / "worklist.csv").open()))
    header = rows[0]
    assert "finding" in header and "conversation_id" in header
    assert not {"nhs_number", "postcode", "escalation_note", "nhs_pseudonym"} & set(header)
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows[1:] for cell in row)
