"""The statutory returns on a small hand-written history: the identity vault, the Client
Level Data file's rows (each Event_Type, the review rule, the period edges, the mapping),
the field-by-field validation, owner-only files, reruns, and the DAG through Airflow.
Expected values are worked out by hand from the words of outputs.md ("Mapping to the
Client Level Data return") and the documented mapping."""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from threec.config import REPO_ROOT
from threec.dbt import run_dbt
from threec.errors import ConfigError
from threec.pipeline import ingest_step
from threec.privacy import nhs_check_digit_ok
from threec.returns import parse_year, run_returns
from threec.returns.year import latest_complete_year
from threec.vault import VaultError, open_vault

from helpers import TEST_VAULT_KEY, row, settings_for, write_csv

QUIET = lambda _msg: None  # noqa: E731
YEAR = parse_year("2024-25")
EXTRACT = "2025-04-30"


def valid_nhs(prefix: str) -> str:
    """The first valid NHS number starting with the nine digits given."""
    for last in "0123456789":
        if nhs_check_digit_ok(prefix + last):
            return prefix + last
    raise AssertionError(prefix)


NHS_P1, NHS_P3 = "9434765919", valid_nhs("401023213")


def conversation(cid, person, request, ctype, start, end, outcome):
    return row("conversations", conversation_id=cid, person_id=person, request_id=request, conversation_type=ctype,
               start_date=start, end_date=end, outcome=outcome)


def package(pid, person, stype, component, mechanism, start, end, unit_cost, frequency, units="", contribution="0"):
    return row("packages", package_id=pid, person_id=person, conversation_id="", service_type=stype,
               service_component=component, delivery_mechanism=mechanism, start_date=start, end_date=end,
               unit_cost=unit_cost, cost_frequency=frequency, planned_units_per_week=units,
               client_contribution_weekly=contribution)


def write_history(landing: Path) -> None:
    folder = landing / EXTRACT
    write_csv(folder, "people", [
        row("people", person_id="P1", nhs_number=NHS_P1[:3] + " " + NHS_P1[3:6] + " " + NHS_P1[6:], postcode="ls1 4ap"),
        row("people", person_id="P2", nhs_number="", postcode="", ethnicity="", gender="F", date_of_birth="1990-06-15"),
        row("people", person_id="P3", nhs_number=NHS_P3, postcode="FW1 2AB", gender="X", date_of_birth="1960-01-01"),
    ])
    write_csv(folder, "teams", [row("teams")])
    write_csv(folder, "requests", [
        row("requests", request_id="R1", person_id="P1", request_date="2024-03-31"),       # the day before: out
        row("requests", request_id="R2", person_id="P1", request_date="2024-04-01",        # the first day: in
            route_of_access="DISCHARGE_FROM_HOSPITAL"),
        row("requests", request_id="R3", person_id="P2", request_date="2025-03-31"),       # the last day: in, waiting
        row("requests", request_id="R4", person_id="P2", request_date="2025-04-02"),       # after the year: out
    ])
    write_csv(folder, "conversations", [
        conversation("CA", "P1", "R2", "C1", "2024-04-03", "2024-04-10", "ESCALATED"),
        conversation("CB", "P1", "R2", "C3", "2024-04-12", "2024-05-01", "SUPPORT_PLAN_AGREED"),
        # no request, P1 on long-term support (K1 from 2 May): a planned review
        conversation("CC", "P1", "", "C1", "2024-09-01", "2024-09-05", "NO_PLAN_NEEDED"),
        # no request but no long-term support: an assessment; open at the year end
        conversation("CD", "P2", "", "C2", "2025-03-20", "", ""),
        # ended the day before the year: out
        conversation("CE", "P1", "", "C2", "2024-03-01", "2024-03-31", "CRISIS_RESOLVED"),
        # a review still open at the year end (ends after it)
        conversation("CF", "P1", "", "C1", "2025-03-25", "2025-04-05", "INFO_ADVICE"),
    ])
    write_csv(folder, "packages", [
        package("K1", "P1", "LTS_COMMUNITY", "HOME_CARE", "COMMISSIONED", "2024-05-02", "", "20.50", "HOURLY", "10"),
        package("K2", "P2", "ST_MAX", "REABLEMENT", "COMMISSIONED", "2024-02-01", "2024-04-01", "300", "WEEKLY",
                contribution="50"),
        package("K3", "P3", "CARER_DIRECT", "OTHER", "DIRECT_PAYMENT", "2024-06-01", "2024-06-30", "40", "WEEKLY"),
        package("K4", "P2", "LTS_RESIDENTIAL", "RESIDENTIAL_CARE", "COMMISSIONED", "2025-04-01", "", "900", "WEEKLY"),
    ])


@pytest.fixture(scope="module")
def returned(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("returns")
    settings = settings_for(tmp)
    write_history(settings.landing_dir)
    as_of = dt.date.fromisoformat(EXTRACT)
    ingest_step(settings, as_of, "returns-test", progress=QUIET)
    run_dbt(settings, "seed", as_of, progress=QUIET)  # the daily models the returns read (their
    run_dbt(settings, "run", as_of, progress=QUIET)   # tests run in test_pipeline's full build)
    summary = run_returns(settings, YEAR, progress=QUIET)
    return settings, summary


def cld_rows(summary) -> dict[str, dict[str, str]]:
    (path,) = [p for p in summary.files if p.name.startswith("cld-")]
    with path.open(encoding="utf-8", newline="") as fh:
        return {r["Event_Reference"]: r for r in csv.DictReader(fh)}


def test_year_labels_and_the_latest_complete_year():
    assert (YEAR.start, YEAR.end, YEAR.label) == (dt.date(2024, 4, 1), dt.date(2025, 3, 31), "2024-25")
    assert latest_complete_year(dt.date(2025, 3, 31)).label == "2024-25"
    assert latest_complete_year(dt.date(2025, 3, 30)).label == "2023-24"
    assert latest_complete_year(dt.date(2025, 5, 1)).label == "2024-25"
    for bad in ("2024-26", "2024", "24-25", "2024/25"):
        with pytest.raises(ConfigError, match="financial year like 2024-25"):
            parse_year(bad)


def test_the_vault_reveals_nothing_without_its_key(returned, tmp_path):
    settings, _ = returned
    data = settings.vault_path.read_bytes()
    for secret in (NHS_P1, NHS_P3, "LS1 4AP", "FW1 2AB", NHS_P1[:3] + " " + NHS_P1[3:6]):
        assert secret.encode() not in data
    assert stat.S_IMODE(settings.vault_path.stat().st_mode) == 0o600
    with open_vault(settings.vault_path, TEST_VAULT_KEY) as vault:
        people = {r["person_id"]: r for r in vault.identifiers().to_pylist()}
    assert (people["P1"]["nhs_number"], people["P1"]["postcode"]) == (NHS_P1, "LS1 4AP")
    assert people["P2"]["nhs_number"] is None
    with pytest.raises(VaultError, match="THREEC_VAULT_KEY does not open the identity vault"):
        with open_vault(settings.vault_path, "another-vault-key-that-is-long-enough-0000"):
            pass
    # The warehouse holds no NHS number or full postcode.
    assert NHS_P1.encode() not in settings.warehouse.read_bytes()


def test_a_wrong_vault_key_is_one_clear_line_from_the_cli(returned):
    settings, _ = returned
    env = settings.child_env()
    env["THREEC_VAULT_KEY"] = "another-vault-key-that-is-long-enough-0000"
    proc = subprocess.run([sys.executable, "-m", "threec.cli", "-q", "returns", "--year", "2024-25"],
                          env=env, text=True, capture_output=True)
    assert proc.returncode == 1
    assert "THREEC_VAULT_KEY does not open the identity vault" in proc.stderr
    assert "Traceback" not in proc.stderr and NHS_P1 not in proc.stderr + proc.stdout


def test_cld_rows_by_event_type_follow_the_mapping(returned):
    _, summary = returned
    rows = cld_rows(summary)
    assert summary.rows_by_event_type == {"Request": 2, "Assessment": 3, "Review": 2, "Service": 3}
    assert sorted(rows) == ["CONV-CA", "CONV-CB", "CONV-CC", "CONV-CD", "CONV-CF",
                            "PKG-K1", "PKG-K2", "PKG-K3", "REQ-R2", "REQ-R3"]
    types = {ref: r["Event_Type"] for ref, r in rows.items()}
    assert types == {"REQ-R2": "Request", "REQ-R3": "Request", "CONV-CA": "Assessment", "CONV-CB": "Assessment",
                     "CONV-CD": "Assessment", "CONV-CC": "Review", "CONV-CF": "Review",
                     "PKG-K1": "Service", "PKG-K2": "Service", "PKG-K3": "Service"}


def test_cld_fields_are_the_specifications_with_mapped_values(returned):
    _, summary = returned
    rows = cld_rows(summary)
    with (REPO_ROOT / "dbt_project/seeds/cld/cld_fields.csv").open() as fh:
        fields = [r["field"] for r in csv.DictReader(fh)]
    (path,) = [p for p in summary.files if p.name.startswith("cld-")]
    assert path.read_text(encoding="utf-8").splitlines()[0].split(",") == fields
    r2, r3 = rows["REQ-R2"], rows["REQ-R3"]
    assert (r2["Event_Start_Date"], r2["Event_End_Date"]) == ("2024-04-01", "2024-04-01")  # one-day event
    assert r2["Request_Route_of_Access"] == "Discharge from hospital"
    assert r2["Event_Outcome"] == r3["Event_Outcome"] == "Progress to assessment, review or reassessment"
    assert (rows["CONV-CA"]["Assessment_Type"], rows["CONV-CB"]["Assessment_Type"]) == (
        "Short term assessment", "Long term assessment")
    assert rows["CONV-CB"]["Event_Outcome"] == "Progress to support planning or services"
    assert rows["CONV-CC"]["Review_Reason"] == "Planned review of long term support"
    assert rows["CONV-CC"]["Event_Outcome"] == "NFA: No services offered for other reason"
    # open at the year end: no end date, no outcome
    for ref in ("CONV-CD", "CONV-CF"):
        assert (rows[ref]["Event_End_Date"], rows[ref]["Event_Outcome"]) == ("", "")
    k1 = rows["PKG-K1"]
    assert (k1["Service_Type"], k1["Service_Component"], k1["Delivery_Mechanism"]) == (
        "Long term support: Community", "Home support or domiciliary care", "CASSR commissioned support")
    assert (k1["Unit_Cost"], k1["Cost_Frequency_Unit_Type"], k1["Planned_units_per_week"]) == ("20.5", "Hourly", "10.0")
    assert (k1["Event_End_Date"], k1["Event_Outcome"]) == ("", "Continuation of support or services")
    assert k1["Client_Funding_Status"] == "Fully social care funded"
    assert rows["PKG-K2"]["Client_Funding_Status"] == "Joint client and social care funded"
    assert rows["PKG-K2"]["Event_Outcome"] == "NFA: Support ended as planned"
    # person fields, repeated on every row of the person, identifiers from the vault
    p1_rows = [r for r in rows.values() if r["LA_Person_Unique_Identifier"] == "P1"]
    assert {(r["NHS_Number"], r["Postcode"], r["Gender"], r["Ethnicity"], r["Client_Type"]) for r in p1_rows} == {
        (NHS_P1, "LS1 4AP", "Male", "White: English, Welsh, Scottish, Northern Irish or British", "Service user")}
    assert rows["PKG-K3"]["Client_Type"] == "Unpaid carer" and rows["PKG-K3"]["Gender"] == "Other"
    assert rows["REQ-R3"]["NHS_Number"] == "" and rows["REQ-R3"]["Postcode"] == ""
    assert {r["LA_Code"] for r in rows.values()} == {"E99999999"}
    assert {(r["Reporting_Period_Start_Date"], r["Reporting_Period_End_Date"]) for r in rows.values()} == {
        ("2024-04-01", "2025-03-31")}


def test_validation_names_each_failing_rule_and_its_event_references(returned):
    _, summary = returned
    by_id = {r.rule_id: r for r in summary.validation}
    p2_refs = ["CONV-CD", "PKG-K2", "REQ-R3"]
    for rule in ("NHS_Number.mandatory", "Postcode.mandatory", "Ethnicity.mandatory"):
        assert (by_id[rule].status, by_id[rule].rows_failing, by_id[rule].examples) == ("fail", 3, p2_refs)
    for rule in ("Event_Type.defined_value", "Gender.defined_value", "Event_Outcome.defined_value",
                 "Event_Outcome.mandatory_when_ended", "Planned_units_per_week.mandatory_when_unit_based",
                 "Request_Route_of_Access.mandatory", "Review_Reason.mandatory", "Assessment_Type.mandatory",
                 "Event_Start_Date.in_period", "Event_End_Date.in_period", "Event_End_Date.date_order",
                 "Gender.consistent_per_person", "NHS_Number.format", "Postcode.format", "Event_Reference.unique"):
        assert by_id[rule].status == "pass", rule
    assert by_id["Planned_units_per_week.mandatory_when_unit_based"].rows_checked == 1  # K1, hourly
    assert by_id["Employment_Status.not_in_export"].status == "not in export"
    folder = summary.folder
    with (folder / "validation-2024-25.csv").open() as fh:
        report = {r["rule_id"]: r for r in csv.DictReader(fh)}
    assert report["NHS_Number.mandatory"]["rows_failing"] == "3"
    failures = (folder / "validation-failures-2024-25.csv").read_text()
    assert "NHS_Number.mandatory,NHS_Number,REQ-R3" in failures
    page = (folder / "validation-2024-25.html").read_text()
    assert "NHS_Number" in page and "REQ-R3" in page and NHS_P1 not in page


def test_returns_files_are_owner_only_and_a_rerun_changes_nothing(returned):
    settings, summary = returned
    assert stat.S_IMODE(summary.folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(settings.returns_dir.stat().st_mode) == 0o700
    before = {p.name: p.read_bytes() for p in summary.folder.iterdir()}
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in summary.folder.iterdir())
    assert len([n for n in before if n.endswith(".csv") and n.startswith("cld-")]) == 1
    again = run_returns(settings, YEAR, progress=QUIET)
    assert {p.name: p.read_bytes() for p in again.folder.iterdir()} == before
    assert not [p for p in settings.returns_dir.iterdir() if p.name.startswith(".")]  # no leftovers


def test_a_year_not_yet_over_in_the_data_is_refused(returned):
    settings, _ = returned
    with pytest.raises(Exception, match="before the end of 2025-26"):
        run_returns(settings, parse_year("2025-26"), progress=QUIET)


def test_every_defined_list_seed_is_in_the_union_model():
    seeds = sorted(p.stem[len("cld_list_"):] for p in (REPO_ROOT / "dbt_project/seeds/cld").glob("cld_list_*.csv"))
    model = (REPO_ROOT / "dbt_project/models/returns/int_cld_defined_values.sql").read_text()
    listed = sorted(re.findall(r"'([a-z_]+)'", model.split("{%- set lists = [", 1)[1].split("]", 1)[0]))
    assert listed == seeds
    with (REPO_ROOT / "dbt_project/seeds/cld/cld_fields.csv").open() as fh:
        used = {r["defined_list"] for r in csv.DictReader(fh) if r["defined_list"]}
    assert used <= set(seeds)


@pytest.mark.slow
@pytest.mark.xdist_group("checks")
def test_threec_yearly_returns_runs_through_airflow(built_council):
    from threec.airflow_runner import dags_test
    settings, _ = built_council
    dags_test(settings, "threec_yearly_returns", dt.date(2025, 5, 1), progress=QUIET)
    folder = settings.returns_dir / "2024-25"
    names = sorted(p.name for p in folder.iterdir())
    assert [n for n in names if n.startswith("cld-")] == ["cld-2024-25.csv"]
    with (folder / "cld-2024-25.csv").open(encoding="utf-8", newline="") as fh:
        types = {r["Event_Type"] for r in csv.DictReader(fh)}
    assert types == {"Request", "Assessment", "Review", "Service"}
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert not (settings.output_dir / "2024-25").exists()


def measure_rows(summary, name: str) -> list[dict[str, str]]:
    (path,) = [p for p in summary.files if p.name == f"{name}-2024-25.csv"]
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_ascof_numerators_and_denominators_by_hand(returned):
    """P1 (75, own home, long-term community home care from 2 May 2024, commissioned), P2 (34,
    reablement ending on the year's first day as planned; a residential placement starting
    the day after the year), P3 (65, a carer with a direct payment in June 2024)."""
    _, summary = returned
    got = {(r["measure"], r["measure_group"]): (int(r["numerator"]), int(r["denominator"]))
           for r in measure_rows(summary, "ascof")}
    # 2A: P2's reablement ended in the year, P2 was a new client (the placement starts after
    # it), no service followed within 7 days, and it ended as planned: in both parts.
    assert got[("2A", "18 to 64")] == (1, 1) and got[("2A", "65 and above")] == (0, 0)
    assert got[("2A", "Total")] == (1, 1)
    # 2B/2C: the only residential placement starts on 1 April 2025, after the year.
    assert got[("2B", "18 to 64")][0] == 0 and got[("2C", "65 and above")][0] == 0
    assert got[("2B", "18 to 64")][1] > 0  # the population of the seed council_population_by_age
    # 2E: P1 is on long-term support in the year and lives in their own home (settled).
    assert got[("2E", "All adults 65 and above")] == (1, 1) and got[("2E", "All adults Total")] == (1, 1)
    assert got[("2E", "Learning disability 18 to 64")] == (0, 0)
    # 3D: P1 on commissioned community support at the year end: not self-directed;
    # P3, a carer paid by direct payment: self-directed and a direct payment.
    assert got[("3D", "1a Total")] == (0, 1) and got[("3D", "2a Total")] == (0, 1)
    assert got[("3D", "1b Total")] == (1, 1) and got[("3D", "2b Total")] == (1, 1)


def test_salt_and_asc_fr_tables_by_hand(returned):
    _, summary = returned
    sts = {(r["request_route_of_access"], r["age_band"], r["sequel"]): int(r["requests"])
           for r in measure_rows(summary, "salt-sts001")}
    # R2 (P1, 74 on 1 April 2024... 75 at the year end) and R3 (P2) are new-client requests:
    # P1 had no long-term support until 2 May. R2 was followed by K1 (long-term community).
    assert sts[("Discharge from hospital", "65 and above", "Long term support (any setting)")] == 1
    assert sum(v for (route, band, _), v in sts.items() if band == "18 to 64") == 1
    lts_a = measure_rows(summary, "salt-lts001a")
    assert [(r["age_band"], r["support_setting"], int(r["people"])) for r in lts_a] == [
        ("65 and above", "Community: CASSR commissioned support", 1)]
    fr = measure_rows(summary, "asc-fr-long-term-support")
    (k1,) = [r for r in fr if r["support_setting"] == "Community: home care"]
    # K1: 20.50 x 10 hours = 205.00 a week, active 2 May 2024 to 31 March 2025: 334 days.
    assert float(k1["gross_expenditure"]) == pytest.approx(205.0 * 334 / 7)
    assert int(k1["clients"]) == 1
