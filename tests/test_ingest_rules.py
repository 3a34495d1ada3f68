"""Every column and cross-field rule of the export contract, each with a bad row.

The expectations are written from the contract's words (case-system-export.md), not
derived from threec/contract.yaml, so a drift in either shows up here."""

from __future__ import annotations

import pytest

from helpers import row, write_csv

EXTRACT = "2025-03-24"

# (entity, changes to a valid row, column named in dq.quarantine, rule)
BAD_ROWS = [
    ("people", dict(person_id=""), "person_id", "required"),
    ("people", dict(person_id="x" * 37), "person_id", "max_length"),
    ("people", dict(date_of_birth=""), "date_of_birth", "required"),
    ("people", dict(date_of_birth="2025-02-30"), "date_of_birth", "type"),
    ("people", dict(date_of_birth="31/01/1950"), "date_of_birth", "type"),
    ("people", dict(date_of_birth="2025-03-25"), "date_of_birth", "not_after_extract_date"),
    ("people", dict(date_of_birth="1905-03-23"), "date_of_birth", "max_years_before_extract"),
    ("people", dict(date_of_death="1949-12-31"), "date_of_death", "not_before"),
    ("people", dict(gender=""), "gender", "required"),
    ("people", dict(gender="m"), "gender", "code_list"),
    ("people", dict(ethnicity="I"), "ethnicity", "code_list"),
    ("people", dict(postcode="NOT A POSTCODE"), "postcode", "postcode"),
    ("people", dict(primary_support_reason="phys_personal"), "primary_support_reason", "code_list"),
    ("people", dict(has_unpaid_carer="Yes"), "has_unpaid_carer", "code_list"),
    ("people", dict(accommodation="HOME"), "accommodation", "code_list"),
    ("people", dict(last_modified=""), "last_modified", "required"),
    ("people", dict(last_modified="2025-03-01 09:00:00"), "last_modified", "type"),
    ("people", dict(last_modified="2025-02-30T09:00:00"), "last_modified", "type"),
    ("people", dict(is_deleted="yes"), "is_deleted", "type"),
    ("people", dict(is_deleted="TRUE"), "is_deleted", "type"),
    ("teams", dict(team_name=""), "team_name", "required"),
    ("teams", dict(team_type="front_door"), "team_type", "code_list"),
    ("teams", dict(three_c_go_live_date="2024/01/01"), "three_c_go_live_date", "type"),
    ("requests", dict(person_id=""), "person_id", "required"),
    ("requests", dict(request_date="2025-1-10"), "request_date", "type"),
    ("requests", dict(route_of_access=""), "route_of_access", "required"),
    ("requests", dict(route_of_access="GP"), "route_of_access", "code_list"),
    ("conversations", dict(team_id=""), "team_id", "required"),
    ("conversations", dict(conversation_type="c1"), "conversation_type", "code_list"),
    ("conversations", dict(conversation_type="C4"), "conversation_type", "code_list"),
    ("conversations", dict(start_date=""), "start_date", "required"),
    ("conversations", dict(end_date="2025-01-11"), "end_date", "not_before"),
    ("conversations", dict(outcome=""), "outcome", "required_when"),
    ("conversations", dict(end_date="", outcome="INFO_ADVICE"), "outcome", "null_when"),
    ("conversations", dict(outcome="Escalated"), "outcome", "code_list"),
    ("conversations", dict(escalation_reason="NONE"), "escalation_reason", "code_list"),
    ("conversations", dict(peer_challenge_date="next week"), "peer_challenge_date", "type"),
    ("packages", dict(service_type="LTS"), "service_type", "code_list"),
    ("packages", dict(service_component=""), "service_component", "required"),
    ("packages", dict(delivery_mechanism="DP"), "delivery_mechanism", "code_list"),
    ("packages", dict(end_date="2024-12-31"), "end_date", "not_before"),
    ("packages", dict(unit_cost=""), "unit_cost", "required"),
    ("packages", dict(unit_cost="-0.01"), "unit_cost", "min"),
    ("packages", dict(unit_cost="£20.50"), "unit_cost", "type"),
    ("packages", dict(unit_cost="1,000.00"), "unit_cost", "type"),
    ("packages", dict(unit_cost="20,50"), "unit_cost", "type"),
    ("packages", dict(cost_frequency="hourly"), "cost_frequency", "code_list"),
    ("packages", dict(planned_units_per_week=""), "planned_units_per_week", "required_when"),
    ("packages", dict(cost_frequency="DAILY", planned_units_per_week=""), "planned_units_per_week", "required_when"),
    ("packages", dict(cost_frequency="PER_SESSION", planned_units_per_week=""), "planned_units_per_week",
     "required_when"),
    ("packages", dict(planned_units_per_week="0"), "planned_units_per_week", "min_exclusive"),
    ("packages", dict(client_contribution_weekly="-5"), "client_contribution_weekly", "min"),
    ("hospital_delays", dict(provider_code=""), "provider_code", "required"),
    ("hospital_delays", dict(bed_type="acute"), "bed_type", "code_list"),
    ("hospital_delays", dict(ready_date="2025-02-29"), "ready_date", "type"),
    ("hospital_delays", dict(discharge_date="2024-12-31"), "discharge_date", "not_before"),
    ("hospital_delays", dict(reason_code="D3"), "reason_code", "code_list"),
    ("hospital_delays", dict(responsible_org=""), "responsible_org", "required"),
]


@pytest.mark.parametrize("entity,changes,column,rule", BAD_ROWS,
                         ids=[f"{e}-{c}-{r}-{i}" for i, (e, _, c, r) in enumerate(BAD_ROWS)])
def test_broken_row_is_quarantined_and_the_rest_of_the_file_loads(ingester, entity, changes, column, rule):
    id_col = {"people": "person_id", "teams": "team_id", "requests": "request_id",
              "conversations": "conversation_id", "packages": "package_id", "hospital_delays": "delay_id"}[entity]
    good_before = row(entity, **{id_col: "GOOD1"})
    bad = row(entity, **{id_col: "BAD1", **changes})
    good_after = row(entity, **{id_col: "GOOD2"})
    write_csv(ingester.folder(EXTRACT), entity, [good_before, bad, good_after])
    summary = ingester.run()
    assert [(f.delivered, f.loaded, f.quarantined) for f in summary.files] == [(3, 2, 1)]
    quarantined = ingester.query(
        'select extract_date::varchar, entity, file, row_number, "column", rule, reason from dq.quarantine')
    assert len(quarantined) == 1
    extract_date, q_entity, file, row_number, q_column, q_rule, reason = quarantined[0]
    assert (extract_date, q_entity, file, row_number) == (EXTRACT, entity, f"{EXTRACT}/{entity}.csv", 2)
    assert (q_column, q_rule) == (column, rule)
    assert reason
    loaded = ingester.query(f"select {id_col} from raw.{entity} order by _row_number")
    assert [r[0] for r in loaded] == ["GOOD1", "GOOD2"]


GOOD_VARIANTS = [
    ("people", dict(is_deleted="Y")), ("people", dict(is_deleted="N")), ("people", dict(is_deleted="1")),
    ("people", dict(is_deleted="0")), ("people", dict(is_deleted="true")), ("people", dict(is_deleted="")),
    ("people", dict(date_of_birth="1905-03-24")),  # exactly 120 years before the extract date
    ("people", dict(date_of_birth=EXTRACT)),
    ("people", dict(date_of_death="1950-01-01")),
    ("people", dict(postcode="ls14ap")), ("people", dict(postcode="SW1A 1AA")),
    ("people", dict(nhs_number="943 476 5919")), ("people", dict(person_id="x" * 36)),
    ("people", dict(last_modified="2025-03-01T09:00:00.123456")),
    ("people", dict(last_modified="2025-03-01T09:00:00+01:00")),
    ("people", dict(last_modified="2025-03-01T09:00:00Z")),
    ("people", dict(last_modified="2025-03-01T09:00:00.5-05:00")),
    ("conversations", dict(end_date="", outcome="")),
    ("conversations", dict(end_date="2025-01-12")),
    ("packages", dict(unit_cost="0")), ("packages", dict(unit_cost=".5")), ("packages", dict(unit_cost="20")),
    ("packages", dict(cost_frequency="WEEKLY", planned_units_per_week="")),
    ("packages", dict(cost_frequency="ONE_OFF", planned_units_per_week="")),
    ("hospital_delays", dict(discharge_date="2025-01-01")), ("hospital_delays", dict(discharge_date="")),
]


@pytest.mark.parametrize("entity,changes", GOOD_VARIANTS, ids=[f"{e}-{i}" for i, (e, _) in enumerate(GOOD_VARIANTS)])
def test_valid_spellings_load(ingester, entity, changes):
    write_csv(ingester.folder(EXTRACT), entity, [row(entity, **changes)])
    summary = ingester.run()
    assert [(f.loaded, f.quarantined) for f in summary.files] == [(1, 0)], ingester.query(
        "select reason from dq.quarantine")


def test_timestamps_become_utc_with_uk_local_time_when_no_offset(ingester):
    rows = [row("people", person_id="winter", last_modified="2025-01-15T10:00:00"),
            row("people", person_id="summer", last_modified="2024-07-15T10:00:00"),
            row("people", person_id="offset", last_modified="2024-07-15T10:00:00+02:00"),
            row("people", person_id="zulu", last_modified="2024-07-15T10:00:00.250Z")]
    write_csv(ingester.folder(EXTRACT), "people", rows)
    ingester.run()
    got = dict(ingester.query("select person_id, strftime(last_modified, '%Y-%m-%d %H:%M:%S.%g') from raw.people"))
    assert got == {"winter": "2025-01-15 10:00:00.000", "summer": "2024-07-15 09:00:00.000",
                   "offset": "2024-07-15 08:00:00.000", "zulu": "2024-07-15 10:00:00.250"}


def test_booleans_and_empty_strings(ingester):
    rows = [row("people", person_id=f"P{v or 'empty'}", is_deleted=v, ethnicity="")
            for v in ["true", "false", "Y", "N", "1", "0", ""]]
    write_csv(ingester.folder(EXTRACT), "people", rows)
    ingester.run()
    got = dict(ingester.query("select person_id, is_deleted from raw.people"))
    assert got == {"Ptrue": True, "Pfalse": False, "PY": True, "PN": False, "P1": True, "P0": False,
                   "Pempty": False}
    assert ingester.query("select count(*) from raw.people where ethnicity is null") == [(7,)]


def test_invalid_nhs_number_is_nulled_noted_and_the_row_loads(ingester):
    write_csv(ingester.folder(EXTRACT), "people", [row("people", nhs_number="9434765918")])
    summary = ingester.run()
    assert [(f.loaded, f.quarantined) for f in summary.files] == [(1, 0)]
    assert ingester.query("select nhs_pseudonym from raw.people") == [(None,)]
    notes = ingester.query('select row_number, "column", note from dq.ingest_notes')
    assert len(notes) == 1 and notes[0][:2] == (1, "nhs_number") and "9434765918" not in notes[0][2]


def test_row_numbers_count_records_not_lines(ingester):
    """A quoted field with a line break is one row; a CSV-level broken row keeps its number."""
    folder = ingester.folder(EXTRACT)
    write_csv(folder, "teams", [row("teams", team_id="T1", team_name="North,\nand East"),
                                row("teams", team_id="T2", team_type="BAD"),
                                row("teams", team_id="T3")])
    with (folder / "teams.csv").open("a", encoding="utf-8", newline="") as fh:
        fh.write("T4,too,many,fields,2024-01-01,2025-03-01T09:00:00,false,EXTRA\r\n")
        fh.write("T5,North,COMMUNITY,North,,2025-03-01T09:00:00,false\r\n")
    summary = ingester.run()
    assert [(f.delivered, f.loaded, f.quarantined) for f in summary.files] == [(5, 3, 2)]
    assert ingester.query('select row_number, rule from dq.quarantine order by 1') == [
        (2, "code_list"), (4, "csv_format")]
    assert ingester.query("select team_id, _row_number, team_name from raw.teams order by 2") == [
        ("T1", 1, "North,\nand East"), ("T3", 3, "North Community"), ("T5", 5, "North")]
