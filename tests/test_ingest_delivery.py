"""Delivery rules of the contract: folders, manifest, CSV dialect, the load ledger."""

from __future__ import annotations

import os

from helpers import row, sha, write_csv, write_manifest

D1, D2 = "2025-03-24", "2025-03-25"


def test_dialect_bom_header_case_spaces_order_and_extra_column(ingester):
    good = row("teams")
    header = [" IS_DELETED", "Team_Name ", "team_id", " Shoe Size ", "TEAM_TYPE", "last_modified",
              "locality", "three_c_go_live_date"]
    write_csv(ingester.folder(D1), "teams", [{**good, "shoe size": "9"}], header=header, bom=True)
    summary = ingester.run()
    assert [(f.loaded, f.quarantined) for f in summary.files] == [(1, 0)]
    assert ingester.query("select team_id, team_name, team_type from raw.teams") == [
        ("T1", "North Community", "COMMUNITY")]
    notes = ingester.query("select note from dq.ingest_notes")
    assert len(notes) == 1 and "Shoe Size" in notes[0][0]
    ingester.run()  # reported once, not again on the next run
    assert len(ingester.query("select note from dq.ingest_notes")) == 1


def test_missing_optional_column_loads_as_null(ingester):
    r = row("teams")
    header = [h for h in r if h != "locality"]
    write_csv(ingester.folder(D1), "teams", [r], header=header)
    ingester.run()
    assert ingester.query("select locality from raw.teams") == [(None,)]


def test_missing_required_column_rejects_the_file_whole_once(ingester):
    r = row("teams")
    write_csv(ingester.folder(D1), "teams", [r], header=[h for h in r if h != "team_type"])
    summary = ingester.run()
    assert [f.status for f in summary.files] == ["rejected"]
    assert "team_type" in summary.files[0].message
    ingester.run()
    assert ingester.query("select entity, file from dq.rejected_files") == [("teams", f"{D1}/teams.csv")]
    assert ingester.query("select count(*) from raw.teams") == [(0,)]
    assert ingester.query("select count(*) from dq.quarantine") == [(0,)]


def test_manifest_row_count_and_sha_mismatches_reject_whole_and_a_corrected_file_loads(ingester):
    folder = ingester.folder(D1)
    teams = write_csv(folder, "teams", [row("teams")])
    people = write_csv(folder, "people", [row("people"), row("people", person_id="P2", gender="bad")])
    reqs = write_csv(folder, "requests", [row("requests")])
    write_manifest(folder, {"teams": (2, sha(teams)), "people": (2, sha(people)), "requests": (1, "0" * 64)})
    summary = ingester.run()
    status = {f.entity: f.status for f in summary.files}
    assert status == {"teams": "rejected", "people": "loaded", "requests": "rejected"}
    reasons = dict(ingester.query("select entity, reason from dq.rejected_files"))
    assert "2 data rows" in reasons["teams"] and "SHA-256" in reasons["requests"]
    assert ingester.query("select count(*) from dq.quarantine where entity in ('teams', 'requests')") == [(0,)]
    # the corrected re-delivery of the same folder loads; the rejection stays recorded once
    write_manifest(folder, {"teams": (1, sha(teams)), "people": (2, sha(people)), "requests": (1, sha(reqs))})
    ingester.run()
    assert ingester.query("select count(*) from raw.teams") == [(1,)]
    assert ingester.query("select count(*) from raw.requests") == [(1,)]
    assert ingester.query("select count(*) from dq.rejected_files") == [(2,)]
    assert ingester.query("select count(*) from raw.people") == [(1,)]


def test_identical_redelivery_is_a_noop_and_a_changed_one_is_a_new_delivery(ingester):
    folder = ingester.folder(D1)
    path = write_csv(folder, "teams", [row("teams")])
    ingester.run()
    os.utime(path, (1, 1))  # same bytes, new timestamp: still a no-op
    second = ingester.run()
    assert [f.status for f in second.files] == ["unchanged"]
    write_csv(folder, "teams", [row("teams", team_name="Renamed", last_modified="2025-03-02T09:00:00")])
    third = ingester.run()
    assert [f.status for f in third.files] == ["loaded"]
    assert ingester.query("select team_name, _delivery_id from raw.teams order by _delivery_id") == [
        ("North Community", 1), ("Renamed", 2)]
    notes = ingester.query("select note from dq.ingest_notes")
    assert any("re-delivered" in n for (n,) in notes)


def test_folders_after_the_as_of_date_wait_and_non_date_folders_are_reported(ingester):
    write_csv(ingester.folder(D1), "teams", [row("teams")])
    write_csv(ingester.folder(D2), "teams", [row("teams", team_id="T2")])
    write_csv(ingester.landing / "latest", "teams", [row("teams", team_id="T3")])
    ingester.run(as_of=D1)
    assert ingester.query("select team_id, _extract_date::varchar from raw.teams") == [("T1", D1)]
    assert any("not an extract date" in n for (n,) in ingester.query("select note from dq.ingest_notes"))
    ingester.run(as_of=D2)
    assert sorted(ingester.query("select team_id from raw.teams")) == [("T1",), ("T2",)]


def test_late_extract_is_loaded_when_it_arrives(ingester):
    write_csv(ingester.folder(D2), "teams", [row("teams", team_id="T2")])
    ingester.run(as_of=D2)
    write_csv(ingester.folder(D1), "teams", [row("teams", team_id="T1")])  # arrives a day late
    ingester.run(as_of=D2)
    assert sorted(ingester.query("select team_id, _extract_date::varchar from raw.teams")) == [
        ("T1", D1), ("T2", D2)]


def test_unreadable_files_are_rejected_with_a_clear_message(ingester):
    folder = ingester.folder(D1)
    folder.mkdir(parents=True)
    (folder / "teams.csv").write_bytes("team_id,team_name\n".encode("utf-16"))
    (folder / "people.csv").write_bytes(b"")
    summary = ingester.run()
    messages = {f.entity: f.message for f in summary.files}
    assert "UTF-8" in messages["teams"] and "no header" in messages["people"]


def test_accounting_delivered_equals_loaded_plus_quarantined(ingester):
    rows = [row("people", person_id=f"P{i}", gender="M" if i % 3 else "bad") for i in range(30)]
    write_csv(ingester.folder(D1), "people", rows)
    ingester.run()
    assert ingester.query("select rows_delivered, rows_loaded, rows_quarantined from dq.file_ledger") == [
        (30, 20, 10)]


def test_nothing_personal_is_stored(ingester):
    note = "Spoke with Mrs Jane Example at 12 Acacia Avenue about moving to C3"
    write_csv(ingester.folder(D1), "people", [row("people", nhs_number="943 476 5919", postcode="LS1 4AP")])
    write_csv(ingester.folder(D1), "conversations", [row("conversations", escalation_note=note)])
    write_csv(ingester.folder(D1), "hospital_delays", [row("hospital_delays", nhs_number="9434765919")])
    ingester.run()
    con_text = " ".join(str(v) for t in ["raw.people", "raw.conversations", "raw.hospital_delays",
                                         "dq.quarantine", "dq.ingest_notes"]
                        for r in ingester.query(f"select * from {t}") for v in r)
    for secret in ["9434765919", "943 476 5919", "LS1 4AP", "LS14AP", "Jane Example", "Acacia"]:
        assert secret not in con_text
    assert ingester.query("select postcode_district from raw.people") == [("LS1",)]
    assert ingester.query("select escalation_note_meaningful from raw.conversations") == [(True,)]


def test_a_personal_value_in_the_wrong_column_is_not_quoted_back(ingester):
    rows = [row("people", person_id="P1", gender="943 476 5919"), row("people", person_id="P2", ethnicity="LS1 4AP"),
            row("people", person_id="P3", gender="q")]
    write_csv(ingester.folder(D1), "people", rows)
    ingester.run()
    reasons = dict(ingester.query("select record_id, reason from dq.quarantine"))
    assert "943 476 5919" not in reasons["P1"] and "the value" in reasons["P1"]
    assert "LS1 4AP" not in reasons["P2"] and "the value" in reasons["P2"]
    assert "'q'" in reasons["P3"]  # ordinary values are still quoted, to help fix them
