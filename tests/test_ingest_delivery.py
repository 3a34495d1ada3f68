"""Delivery rules of the contract: folders, manifest, CSV dialect, the load ledger."""

from __future__ import annotations

import os

import pytest

from threec.warehouse import connect

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


# --- regressions found by tests/test_fuzz_ingest.py ----------------------------------

def _teams_lines(*rows: str, end: str = "\r\n") -> bytes:
    header = "team_id,team_name,team_type,locality,three_c_go_live_date,last_modified,is_deleted"
    return (end.join([header, *rows]) + end).encode("utf-8")


T_OK = "{id},North,COMMUNITY,North,,2025-03-01T09:00:00,false"


def test_mixed_line_ends_load_row_by_row_instead_of_rejecting_the_file(ingester):
    """DuckDB's reader refuses a file mixing CRLF, LF and CR; one stray line end (a pasted
    note, a bare CR) used to reject every row of the file."""
    folder = ingester.folder(D1)
    folder.mkdir(parents=True)
    data = _teams_lines(T_OK.format(id="T1")) + T_OK.format(id="T2").encode() + b"\n" \
        + b"T3,Bad\rname,COMMUNITY,North,,2025-03-01T09:00:00,false\r\n" + T_OK.format(id="T4").encode() + b"\r"
    (folder / "teams.csv").write_bytes(data)
    summary = ingester.run()
    assert [(f.status, f.delivered, f.loaded, f.quarantined) for f in summary.files] == [("loaded", 5, 3, 2)]
    assert ingester.query("select team_id, _row_number from raw.teams order by 2") == [("T1", 1), ("T2", 2), ("T4", 5)]
    assert ingester.query('select row_number, rule from dq.quarantine order by 1') == [(3, "csv_format"),
                                                                                        (4, "csv_format")]
    assert not list((ingester.settings.state_dir / ".ingest-work").glob("*")), "the normalised copy is removed"


def test_empty_lines_do_not_shift_row_numbers(ingester):
    """The reader skips empty lines yet counted them in reject line numbers, so a row
    after an empty line and a broken row got the wrong number (or another row's)."""
    folder = ingester.folder(D1)
    folder.mkdir(parents=True)
    (folder / "teams.csv").write_bytes(_teams_lines(
        T_OK.format(id="T1"), "", "", "T2,too,few", T_OK.format(id="T3"), "", "T4,North,BAD,North,,2025-03-01T09:00:00,false",
        T_OK.format(id="T5"), ""))
    summary = ingester.run()
    assert [(f.delivered, f.loaded, f.quarantined) for f in summary.files] == [(5, 3, 2)]
    assert ingester.query("select team_id, _row_number from raw.teams order by 2") == [("T1", 1), ("T3", 3), ("T5", 5)]
    assert ingester.query('select row_number, record_id, rule from dq.quarantine order by 1') == [
        (2, None, "csv_format"), (4, "T4", "code_list")]


def test_an_empty_line_inside_a_quoted_note_is_data(ingester):
    rows = [row("conversations", conversation_id="C1", escalation_note="First para.\r\n\r\nSecond para, longer."),
            row("conversations", conversation_id="C2", conversation_type="BAD"),
            row("conversations", conversation_id="C3")]
    write_csv(ingester.folder(D1), "conversations", rows)
    ingester.run()
    assert ingester.query("select conversation_id, _row_number, escalation_note_meaningful from raw.conversations "
                          "order by 2") == [("C1", 1, True), ("C3", 3, None)]
    assert ingester.query("select row_number, record_id from dq.quarantine") == [(2, "C2")]


def test_a_data_row_in_another_encoding_is_quarantined_not_the_whole_file(ingester):
    """The header was decoded together with the first 8 KB of rows, so one Latin-1 byte
    in an early row rejected the file as 'the header row is not UTF-8'."""
    folder = ingester.folder(D1)
    folder.mkdir(parents=True)
    (folder / "teams.csv").write_bytes(_teams_lines(T_OK.format(id="T1")).replace(b"North,COMMUNITY", b"Caf\xe9,COMMUNITY")
                                       + T_OK.format(id="T2").encode() + b"\r\n")
    summary = ingester.run()
    assert [(f.status, f.loaded, f.quarantined) for f in summary.files] == [("loaded", 1, 1)]
    assert ingester.query("select row_number, rule, reason from dq.quarantine") == [
        (1, "csv_format", "malformed CSV: the row is not valid UTF-8 text")]


def test_links_in_the_landing_folder_are_never_followed(ingester, tmp_path):
    """A date-named link to another extract folder loaded the same files a second time
    under a new extract date; a link to a file elsewhere loaded what the export never wrote."""
    real = ingester.folder(D1)
    write_csv(real, "teams", [row("teams")])
    outside = tmp_path / "elsewhere"
    write_csv(outside, "requests", [row("requests")])
    os.symlink(real, ingester.folder(D2))
    os.symlink(outside / "requests.csv", real / "requests.csv")
    summary = ingester.run()
    assert [(f.file, f.status) for f in summary.files] == [(f"{D1}/teams.csv", "loaded")]
    assert ingester.query("select count(*) from raw.requests") == [(0,)]
    notes = dict(ingester.query("select file, note from dq.ingest_notes"))
    assert "is a link" in notes[D2] and "is a link" in notes[f"{D1}/requests.csv"]


def test_a_corrected_file_with_the_same_size_and_timestamp_still_loads(ingester):
    """The ledger skipped hashing a file whose path, size and modification time it knew:
    a corrected re-delivery copied with its timestamp kept (cp -p, rsync -t) and of the
    same size was taken for the old one and never loaded."""
    folder = ingester.folder(D1)
    path = write_csv(folder, "teams", [row("teams", team_name="North Community")])
    stat = path.stat()
    ingester.run()
    write_csv(folder, "teams", [row("teams", team_name="South Community", last_modified="2025-03-02T09:00:00")])
    assert path.stat().st_size == stat.st_size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    summary = ingester.run()
    assert [f.status for f in summary.files] == ["loaded"]
    assert ingester.query("select team_name from raw.teams order by _delivery_id") == [
        ("North Community",), ("South Community",)]


def test_an_unreadable_file_fails_the_run_by_name_after_loading_the_rest(ingester, monkeypatch):
    import threec.ingest
    from threec.errors import IngestError
    write_csv(ingester.folder(D1), "teams", [row("teams")])
    write_csv(ingester.folder(D1), "people", [row("people")])
    real = threec.ingest.sha256_of

    def sha_or_denied(path):
        if path.name == "people.csv":
            raise PermissionError(13, "Permission denied")
        return real(path)
    monkeypatch.setattr(threec.ingest, "sha256_of", sha_or_denied)
    with pytest.raises(IngestError, match=rf"could not read {D1}/people.csv: cannot be read \(Permission denied\)"):
        ingester.run()
    assert ingester.query("select count(*) from raw.teams") == [(1,)]
    assert ingester.query("select count(*) from dq.file_ledger where entity = 'people'") == [(0,)]
    monkeypatch.setattr(threec.ingest, "sha256_of", real)
    ingester.run()  # access fixed: the next run loads it
    assert ingester.query("select count(*) from raw.people") == [(1,)]


def test_a_reader_error_never_quotes_a_personal_value():
    from threec.ingest import _reader_reason
    text = _reader_reason(RuntimeError("CSV Error on Line: 2 Original Line: P1,943 476 5919,LS1 4AP\nmore"))
    assert "943 476 5919" not in text and "LS1 4AP" not in text and "more" not in text


def test_a_ledger_from_before_change_times_is_hashed_once_more_then_remembered(ingester, monkeypatch):
    import threec.ingest
    write_csv(ingester.folder(D1), "teams", [row("teams")])
    ingester.run()
    con = connect(ingester.settings)
    try:
        con.execute("update dq.file_ledger set ctime_ns = null")  # as an older warehouse has it
    finally:
        con.close()
    hashed = []
    real = threec.ingest.sha256_of
    monkeypatch.setattr(threec.ingest, "sha256_of", lambda path: hashed.append(path.name) or real(path))
    assert [f.status for f in ingester.run().files] == ["unchanged"]
    assert [f.status for f in ingester.run().files] == ["unchanged"]
    assert hashed == ["teams.csv"], "hashed on the first run only"


def test_after_a_broken_quote_records_still_end_at_any_line_end(ingester):
    """After a quote error DuckDB's reader resumed only at a CRLF, so a bare LF closing the
    next record went unseen and two records were counted as one."""
    folder = ingester.folder(D1)
    folder.mkdir(parents=True)
    (folder / "teams.csv").write_bytes(_teams_lines(
        '"T1,North,COMMUNITY,North,,2025-03-01T09:00:00,false',
        'T2,"North\nEast",COMMUNITY,North,,2025-03-01T09:00:00,false', T_OK.format(id="T3")))
    summary = ingester.run()
    # As RFC 4180 reads it: the quote opened before T1 closes before North, the LF ends
    # that record, and `East",...` is a record of six fields.
    assert [(f.delivered, f.loaded, f.quarantined) for f in summary.files] == [(3, 1, 2)]
    assert ingester.query("select team_id, _row_number from raw.teams") == [("T3", 3)]
    assert ingester.query("select row_number, rule from dq.quarantine order by 1") == [(1, "csv_format"),
                                                                                        (2, "csv_format")]


def test_text_after_a_closing_quote_makes_one_broken_row_never_a_row_more(ingester):
    """After text that follows a closing quote, DuckDB's reader resumed inside the record
    and could take its tail for one more record: a row the file does not have, loaded."""
    folder = ingester.folder(D1)
    folder.mkdir(parents=True)
    (folder / "teams.csv").write_bytes(_teams_lines(
        T_OK.format(id="T1"),
        '"T2"=x""y"",""T8"")",North,COMMUNITY,North,,2025-03-01T09:00:00,false',  # its tail has 7 fields
        '"T3"é,North,COMMUNITY,North,,2025-03-01T09:00:00,false',
        T_OK.format(id="T4")))
    summary = ingester.run()
    assert [(f.delivered, f.loaded, f.quarantined) for f in summary.files] == [(4, 2, 2)]
    assert ingester.query("select team_id, _row_number from raw.teams order by 2") == [("T1", 1), ("T4", 4)]
    assert ingester.query("select row_number, rule, reason from dq.quarantine order by 1") == [
        (2, "csv_format", "malformed CSV: a quoted field is not closed properly (stray or unbalanced quote)"),
        (3, "csv_format", "malformed CSV: a quoted field is not closed properly (stray or unbalanced quote)")]
