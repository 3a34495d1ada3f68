"""Tests of the synthetic council generator, on real files in tmp_path.

The checks read the CSV files back with an independent, strict reading of the export
contract (not the generator's own code), so "valid" here means what the contract
says, and the headline figures are computed from the delivered rows.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import tracemalloc
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from threec.contract import load_contract
from threec.generate import GenerateSummary, generate
from threec.generate.identifiers import is_valid_nhs_number, nhs_numbers
from threec.generate.notes import is_meaningful

CONTRACT = load_contract()
ENTITIES = list(CONTRACT.entities)
POSITIVE = set(CONTRACT.positive_outcomes())
LONG_TERM = set(CONTRACT.long_term_service_types())
RANK = {c.code: c.extra["rank"] for c in CONTRACT.code_lists["conversation_type"]}
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}:\d{2})?$")
DECIMAL_RE = re.compile(r"^-?\d+(\.\d+)?$")
POSTCODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")  # spaces removed, upper-cased
BOOLEANS = {"true": True, "Y": True, "1": True, "false": False, "N": False, "0": False}


# -- a strict, independent reader of the contract -------------------------------------

def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows[0], rows[1:]


def _date(v: str) -> date | None:
    if not DATE_RE.match(v):
        return None
    try:
        return date.fromisoformat(v)
    except ValueError:
        return None


def _timestamp(v: str) -> datetime | None:
    if not TS_RE.match(v):
        return None
    try:
        return datetime.fromisoformat(v)
    except ValueError:
        return None


def check_row(entity: str, row: dict[str, str], extract: date) -> tuple[list[str], bool]:
    """(contract breaches, NHS number invalid-but-loads)."""
    errors: list[str] = []
    parsed: dict[str, object] = {}
    noted = False
    for col in CONTRACT.entities[entity].columns:
        v = row.get(col.name, "")
        if v == "":
            if col.required:
                errors.append(f"{col.name} missing")
            parsed[col.name] = None
            continue
        ok = True
        if col.type == "date":
            parsed[col.name] = _date(v)
            ok = parsed[col.name] is not None
        elif col.type == "timestamp":
            parsed[col.name] = _timestamp(v)
            ok = parsed[col.name] is not None
        elif col.type == "boolean":
            ok = v in BOOLEANS
        elif col.type == "code":
            ok = v in CONTRACT.codes(col.code_list)
        elif col.type == "decimal":
            ok = bool(DECIMAL_RE.match(v))
            if ok:
                x = float(v)
                ok = not ("min" in col.rules and x < col.rules["min"]) and not (
                    "min_exclusive" in col.rules and x <= col.rules["min_exclusive"])
        elif col.type == "postcode":
            ok = bool(POSTCODE_RE.match(v.replace(" ", "").upper()))
        elif col.type == "nhs_number":
            noted = not is_valid_nhs_number(v)
        if "max_length" in col.rules and len(v) > col.rules["max_length"]:
            ok = False
        if ok and col.rules.get("not_after_extract_date") and parsed[col.name] > extract:
            ok = False
        if ok and "max_years_before_extract" in col.rules:
            years = col.rules["max_years_before_extract"]
            ok = parsed[col.name] >= extract.replace(year=extract.year - years)
        if not ok:
            errors.append(f"{col.name} bad: {v!r}")
        parsed.setdefault(col.name, v)
    for col in CONTRACT.entities[entity].columns:
        other = col.rules.get("not_before")
        if other and parsed.get(col.name) and parsed.get(other) and isinstance(parsed[col.name], date):
            if isinstance(parsed[other], date) and parsed[col.name] < parsed[other]:
                errors.append(f"{col.name} before {other}")
        for rule, must in (("required_when", True), ("null_when", False)):
            cond = col.rules.get(rule)
            if not cond:
                continue
            value = row.get(cond["column"], "")
            hit = (value == "") == cond["is_null"] if "is_null" in cond else value in cond["in"]
            if hit and (row.get(col.name, "") != "") != must:
                errors.append(f"{col.name} {rule}")
    lm = parsed.get("last_modified")
    if isinstance(lm, datetime) and lm.date() > extract:
        errors.append("last_modified after extract date")
    return errors, noted


class Landing:
    """Every delivered file read back: rows as dicts (header trimmed, lower-cased)."""

    def __init__(self, root: Path, summary: GenerateSummary):
        self.root = root
        self.summary = summary
        self.folders = sorted(p for p in root.iterdir() if p.is_dir())
        self.rows: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.raw_headers: dict[tuple[str, str], list[str]] = {}
        for folder in self.folders:
            for entity in ENTITIES:
                path = folder / f"{entity}.csv"
                if path.exists():
                    header, rows = read_csv(path)
                    names = [h.strip().lower() for h in header]
                    self.raw_headers[(folder.name, entity)] = header
                    self.rows[(folder.name, entity)] = [dict(zip(names, r)) for r in rows]

    def valid(self, entity: str) -> list[tuple[str, dict[str, str]]]:
        """Loadable rows of an entity, (folder, row), folders in date order; the
        deliberately mismatched file is skipped (the pipeline rejects it whole)."""
        out = []
        for folder in self.folders:
            if f"{folder.name}/{entity}.csv" == self.summary.rejected_file:
                continue
            extract = date.fromisoformat(folder.name)
            for row in self.rows.get((folder.name, entity), []):
                if not check_row(entity, row, extract)[0]:
                    out.append((folder.name, row))
        return out

    def current(self, entity: str) -> dict[str, dict[str, str]]:
        """Latest version per id (greatest last_modified, ties to the later extract), deleted dropped."""
        id_col = CONTRACT.entities[entity].id_column
        best: dict[str, tuple[tuple, dict[str, str]]] = {}
        for folder, row in self.valid(entity):
            key = (_instant(row["last_modified"]), folder)
            rid = row[id_col]
            if rid not in best or key >= best[rid][0]:
                best[rid] = (key, row)
        return {k: r for k, (_, r) in best.items() if BOOLEANS.get(r.get("is_deleted", ""), False) is not True}


def _instant(text: str) -> datetime:
    from zoneinfo import ZoneInfo

    ts = datetime.fromisoformat(text)
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=ZoneInfo("Europe/London"))
    return ts.astimezone(ZoneInfo("UTC"))


# -- fixtures ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Landing:
    root = tmp_path_factory.mktemp("landing")
    summary = generate(root)
    return Landing(root, summary)


# -- tests ------------------------------------------------------------------------------

def test_same_seed_same_bytes_and_another_seed_differs(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    sa = generate(a, people=1500, seed=11)
    sb = generate(b, people=1500, seed=11)
    generate(c, people=1500, seed=12)
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files_a == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files_a)
    assert sa == GenerateSummary(**{**sb.__dict__, "landing_dir": a})
    assert (a / "2025-03-24/conversations.csv").read_bytes() != (c / "2025-03-24/conversations.csv").read_bytes()


def test_folders_and_every_entity_in_first_extract(demo):
    s = demo.summary
    assert [f.name for f in demo.folders] == [d.isoformat() for d in s.extract_dates]
    assert s.extract_folders == 8
    for entity in ENTITIES:
        assert demo.rows.get(("2025-03-24", entity)), entity
        assert s.records[entity] > 0
    # later folders are deltas: far smaller, and one carries only some entities
    assert s.subset_folder == "2025-03-30"
    present = {e for (f, e) in demo.rows if f == s.subset_folder}
    assert present and present < set(ENTITIES)
    assert len(demo.rows[("2025-03-25", "conversations")]) < len(demo.rows[("2025-03-24", "conversations")]) / 20
    assert s.records["people"] == 4000
    assert 2.8 <= s.records["conversations"] / s.records["people"] <= 3.8


def test_manifests_match_except_the_deliberate_mismatch(demo):
    s = demo.summary
    mismatches, manifests = [], 0
    for folder in demo.folders:
        path = folder / "manifest.csv"
        if not path.exists():
            assert folder.name in s.folders_without_manifest
            continue
        manifests += 1
        header, rows = read_csv(path)
        assert header == ["entity", "file", "row_count", "sha256"]
        listed = {r[1] for r in rows}
        assert listed == {p.name for p in folder.glob("*.csv")} - {"manifest.csv"}
        for entity, file, count, sha in rows:
            data = (folder / file).read_bytes()
            actual = len(demo.rows[(folder.name, entity)])
            if int(count) != actual or hashlib.sha256(data).hexdigest() != sha:
                mismatches.append(f"{folder.name}/{file}")
    assert manifests >= len(demo.folders) - 1
    assert s.folders_without_manifest
    assert mismatches == [s.rejected_file]


def test_every_row_is_valid_except_the_injected_messy_rows(demo):
    s = demo.summary
    bad = noted = total = 0
    reasons = defaultdict(int)
    for (folder, entity), rows in demo.rows.items():
        if f"{folder}/{entity}.csv" == s.rejected_file:
            continue
        extract = date.fromisoformat(folder)
        for row in rows:
            errors, is_noted = check_row(entity, row, extract)
            total += 1
            if errors:
                bad += 1
                reasons[errors[0].split(" ")[-1] if "bad" in errors[0] else errors[0]] += 1
            elif is_noted:
                noted += 1
    assert bad == s.messy_total, dict(reasons)
    assert noted == s.noted_rows["invalid_nhs_number"]
    assert 0.002 <= bad / total <= 0.01
    expected = {"missing_required", "bad_date", "bad_timestamp", "bad_boolean", "bad_code", "negative_unit_cost",
                "end_before_start", "outcome_missing_on_ended", "outcome_on_open", "hourly_without_planned_units",
                "dob_in_future", "dob_too_old", "death_before_birth", "person_id_too_long", "bad_postcode",
                "unit_cost_pound_sign"}
    assert set(s.messy_rows) == expected


def test_nhs_numbers_pass_modulus_11(demo):
    numbers = nhs_numbers(np.arange(0, 200_000, 7))
    assert len(set(numbers.tolist())) == len(numbers)
    assert all(is_valid_nhs_number(str(n)) for n in numbers[:5000])
    assert not is_valid_nhs_number("9434765918")  # a wrong check digit
    people = [r["nhs_number"] for _, r in demo.valid("people") if r["nhs_number"]]
    valid = [n for n in people if is_valid_nhs_number(n)]
    assert 0.98 <= len(valid) / len(people) < 1.0
    assert any(" " in n for n in valid)
    assert all(n.replace(" ", "").startswith(("9", "8")) for n in valid)  # a range never issued


def test_dialect_variety_stays_within_the_contract(demo):
    first = "2025-03-24"
    raw = {e: (demo.root / first / f"{e}.csv").read_bytes() for e in ENTITIES}
    assert any(b.startswith(b"\xef\xbb\xbf") for b in raw.values())
    assert not all(b.startswith(b"\xef\xbb\xbf") for b in raw.values())
    headers = demo.raw_headers
    assert any(h != h.strip() or h != h.lower() for hs in headers.values() for h in hs)
    contract_order = {e: [c.name for c in CONTRACT.entities[e].columns] for e in ENTITIES}
    assert any([h.strip().lower() for h in hs if h.strip().lower() in contract_order[e]] != contract_order[e]
               for (_, e), hs in headers.items())
    extras = {h for (_, e), hs in headers.items() for h in hs if h.strip().lower() not in contract_order[e]}
    assert extras == {"source_system"}
    notes = [r["escalation_note"] for r in demo.rows[(first, "conversations")]]
    assert any("\n" in n for n in notes) and any("," in n for n in notes)
    stamps = [r["last_modified"] for rows in demo.rows.values() for r in rows]
    assert any("+01:00" in t for t in stamps) and any("+00:00" in t for t in stamps)
    assert any("." in t for t in stamps) and any(TS_RE.match(t) and len(t) == 19 for t in stamps)
    flags = {r.get("is_deleted") for rows in demo.rows.values() for r in rows}
    assert {"false", "N", "0", ""} <= flags  # every boolean spelling, and empty for the default
    assert flags & {"true", "Y", "1"}


def test_deltas_and_edge_cases(demo):
    s = demo.summary
    by_id = defaultdict(list)
    for (folder, entity), rows in demo.rows.items():
        id_col = CONTRACT.entities[entity].id_column
        for r in rows:
            by_id[(entity, r.get(id_col))].append((folder, r))
    # a conversation open in the full history and ended in a delta
    assert any(len(v) > 1 and v[0][1]["end_date"] == "" and v[-1][1]["end_date"] != ""
               for (e, _), v in by_id.items() if e == "conversations")

    def versions(label):
        where, rid = s.edge_cases[label].split(" ")[:2]
        entity = where.split("/")[1].removesuffix(".csv")
        return entity, by_id[(entity, rid.rstrip(",:"))]

    _, v = versions("replayed_version")
    assert len(v) == 2 and _instant(v[0][1]["last_modified"]) == _instant(v[1][1]["last_modified"])
    assert {k: x for k, x in v[0][1].items() if k not in ("last_modified", "is_deleted")} == \
        {k: x for k, x in v[1][1].items() if k not in ("last_modified", "is_deleted")}
    for label in ("stale_correction_request", "stale_correction_package"):
        _, v = versions(label)
        assert len(v) == 2 and _instant(v[1][1]["last_modified"]) < _instant(v[0][1]["last_modified"])
    _, v = versions("tie_on_last_modified")
    assert len(v) == 2 and _instant(v[1][1]["last_modified"]) == _instant(v[0][1]["last_modified"])
    assert v[1][1]["accommodation"] != v[0][1]["accommodation"]
    for label in ("deleted_conversation", "deleted_package"):
        _, v = versions(label)
        assert BOOLEANS[v[-1][1]["is_deleted"]] is True
    _, v = versions("later_correction")
    assert _instant(v[1][1]["last_modified"]) > _instant(v[0][1]["last_modified"])
    # current state honours the rules: the stale correction lost, the tie went to the later extract
    requests = demo.current("requests")
    _, v = versions("stale_correction_request")
    assert requests[v[0][1]["request_id"]]["route_of_access"] == v[0][1]["route_of_access"]
    assert "RQ990000001" not in requests and "RQ990000002" not in requests
    # every delta row was created or changed in its window; last_modified never after the folder date
    for (folder, entity), rows in demo.rows.items():
        if folder == "2025-03-24":
            continue
        for r in rows:
            ts = _timestamp(r["last_modified"])
            if ts is not None:
                assert ts.date() <= date.fromisoformat(folder)


def _conversation_frame(demo):
    teams = demo.current("teams")
    golive = {t: date.fromisoformat(r["three_c_go_live_date"]) if r["three_c_go_live_date"] else None
              for t, r in teams.items()}
    convs = []
    for r in demo.current("conversations").values():
        start = date.fromisoformat(r["start_date"])
        live = golive.get(r["team_id"]) is not None and start >= golive[r["team_id"]]
        convs.append({**r, "start": start, "end": date.fromisoformat(r["end_date"]) if r["end_date"] else None,
                      "live": live})
    by_person = defaultdict(list)
    for c in convs:
        by_person[c["person_id"]].append(c)
    for cs in by_person.values():
        cs.sort(key=lambda c: (c["start"], RANK[c["conversation_type"]], c["conversation_id"]))
        for a, b in zip(cs, cs[1:] + [None]):
            linked = b is not None and (a["end"] is None or b["start"] <= a["end"] + timedelta(days=28))
            a["next"] = b if linked else None
    return convs


def test_headline_shares_look_like_the_published_figures(demo):
    convs = _conversation_frame(demo)

    def reaches_c3(c):
        n = c["next"]
        while n is not None:
            if n["conversation_type"] == "C3":
                return True
            n = n["next"]
        return False

    shares = {}
    for live in (True, False):
        first = [c for c in convs if c["live"] is live and c["conversation_type"] in ("C1", "C1A")]
        n = len(first)
        shares[live] = {
            "n": n,
            "positive": sum(c["outcome"] in POSITIVE for c in first) / n,
            "to_c2": sum(c["next"] is not None and c["next"]["conversation_type"] == "C2" for c in first) / n,
            "direct_c3": sum(c["next"] is not None and c["next"]["conversation_type"] == "C3" for c in first) / n,
            "reach_c3": sum(reaches_c3(c) for c in first) / n,
        }
    live, old = shares[True], shares[False]
    assert live["n"] > 2000 and old["n"] > 1000
    assert 0.55 <= live["positive"] <= 0.80, live
    assert 0.07 <= live["to_c2"] <= 0.18, live
    assert 0.18 <= live["reach_c3"] <= 0.36, live
    assert 0.10 <= live["direct_c3"] <= 0.25, live
    assert old["reach_c3"] > live["reach_c3"] + 0.15 and old["positive"] < live["positive"]

    # direct escalations by live teams: unexplained above 20% in some teams, low in others
    per_team = defaultdict(lambda: [0, 0, 0, 0])
    for c in convs:
        n = c["next"]
        if c["live"] and c["conversation_type"] in ("C1", "C1A") and n is not None and n["conversation_type"] == "C3":
            explained = any(x["escalation_reason"] or is_meaningful(x["escalation_note"] or None) for x in (c, n))
            t = per_team[c["team_id"]]
            t[0] += 1
            t[1] += not explained
            t[2] += not (c["peer_challenge_date"] or n["peer_challenge_date"])
            t[3] += (c["end"] - c["start"]).days <= 2 if c["end"] else 0
    rates = {t: v[1] / v[0] for t, v in per_team.items() if v[0] >= 30}
    assert max(rates.values()) > 0.20 and min(rates.values()) < 0.10, rates
    assert all(v[2] > 0 and v[3] > 0 for v in per_team.values() if v[0] >= 30)  # unchallenged, premature

    # new requests leading to long-term support within 90 days
    teams = demo.current("teams")
    packages = [r for r in demo.current("packages").values() if r["service_type"] in LONG_TERM]
    lts = defaultdict(list)
    for p in packages:
        lts[p["person_id"]].append((date.fromisoformat(p["start_date"]),
                                    date.fromisoformat(p["end_date"]) if p["end_date"] else None))
    led = {True: [0, 0], False: [0, 0]}
    for r in demo.current("requests").values():
        d = date.fromisoformat(r["request_date"])
        go = teams[r["team_id"]]["three_c_go_live_date"]
        live = bool(go) and d >= date.fromisoformat(go)
        spans = lts.get(r["person_id"], [])
        if any(s <= d and (e is None or d <= e) for s, e in spans):
            continue  # an existing client
        led[live][0] += 1
        led[live][1] += any(d <= s <= d + timedelta(days=90) for s, _ in spans)
    live_rate, old_rate = led[True][1] / led[True][0], led[False][1] / led[False][0]
    assert 0.05 <= live_rate <= 0.14, (live_rate, led)
    assert old_rate > live_rate * 1.3, (old_rate, live_rate)

    # direct-payment uptake among people with community long-term support, on the last day
    as_of = date(2025, 3, 31)
    community = defaultdict(set)
    for p in packages:
        s, e = date.fromisoformat(p["start_date"]), p["end_date"]
        if p["service_type"] == "LTS_COMMUNITY" and s <= as_of and (not e or as_of <= date.fromisoformat(e)):
            community[p["person_id"]].add(p["delivery_mechanism"])
    uptake = sum("DIRECT_PAYMENT" in m for m in community.values()) / len(community)
    assert 0.22 <= uptake <= 0.38, uptake


def test_practice_rule_cases_and_service_variety_are_present(demo):
    convs = _conversation_frame(demo)
    c2_open_at_c3 = escalated_no_next = next_after_other = 0
    for c in convs:
        n = c["next"]
        if c["conversation_type"] == "C2" and n is not None and n["conversation_type"] == "C3" and \
                (c["end"] is None or n["start"] < c["end"]):
            c2_open_at_c3 += 1
        if c["outcome"] == "ESCALATED" and n is None:
            escalated_no_next += 1
        if n is not None and c["outcome"] and c["outcome"] != "ESCALATED":
            next_after_other += 1
    assert c2_open_at_c3 and escalated_no_next and next_after_other
    c3_starts = defaultdict(list)
    for c in convs:
        if c["conversation_type"] == "C3":
            c3_starts[c["person_id"]].append(c["start"])
    packages = list(demo.current("packages").values())
    no_c3 = [p for p in packages if p["service_type"] in LONG_TERM and not any(
        timedelta(0) <= date.fromisoformat(p["start_date"]) - s <= timedelta(days=90)
        for s in c3_starts[p["person_id"]])]
    assert no_c3
    assert {p["cost_frequency"] for p in packages} == set(CONTRACT.codes("cost_frequency"))
    assert {p["service_type"] for p in packages} == set(CONTRACT.codes("service_type"))
    planned = [p for p in packages if p["cost_frequency"] in ("HOURLY", "DAILY", "PER_SESSION")]
    assert planned and all(p["planned_units_per_week"] for p in planned)
    over = [p for p in packages if p["client_contribution_weekly"] and p["cost_frequency"] == "WEEKLY"
            and float(p["client_contribution_weekly"]) > float(p["unit_cost"])]
    assert over
    requests = demo.current("requests")
    answered = {c["request_id"] for c in convs if c["request_id"]}
    waiting = [r for r in requests.values() if r["request_id"] not in answered]
    assert any(r["request_date"] >= "2025-01-01" for r in waiting)
    assert {r["route_of_access"] for r in requests.values()} == set(CONTRACT.codes("route_of_access"))
    delays = list(demo.current("hospital_delays").values())
    assert {d["reason_code"] for d in delays} == set(CONTRACT.codes("delay_reason"))
    assert {d["bed_type"] for d in delays} == {"ACUTE", "NON_ACUTE"}
    assert {d["responsible_org"] for d in delays} == {"NHS", "SOCIAL_CARE", "BOTH"}
    assert any(not d["discharge_date"] for d in delays)
    assert any(d["discharge_date"] == d["ready_date"] for d in delays)
    assert len({d["provider_code"] for d in delays}) >= 4
    teams = demo.current("teams")
    go_live = sorted(t["three_c_go_live_date"] for t in teams.values() if t["three_c_go_live_date"])
    assert 8 <= len(teams) <= 12 and len(go_live) < len(teams)
    assert go_live[0][:4] == "2023" and go_live[-1][:4] == "2024"
    notes = [c["escalation_note"] for c in convs if c["escalation_note"]]
    assert any(is_meaningful(n) for n in notes) and any(not is_meaningful(n) for n in notes)
    assert {"N/A.", "Escalated to C3!", " see case notes "} <= set(notes)


def test_streaming_keeps_memory_flat(tmp_path):
    """Five times the people in the same chunk size: five times the output, flat peak memory."""
    def peak(people: int) -> tuple[int, GenerateSummary, list[str]]:
        messages: list[str] = []
        tracemalloc.start()
        try:
            summary = generate(tmp_path / str(people), people=people, chunk_size=250, progress=messages.append)
            return tracemalloc.get_traced_memory()[1], summary, messages
        finally:
            tracemalloc.stop()

    small, s_small, _ = peak(500)
    large, s_large, messages = peak(2500)
    assert s_small.chunks == 2 and s_large.chunks == 10
    assert sum(m.startswith("chunk ") for m in messages) == 10
    assert s_large.records["conversations"] > 4 * s_small.records["conversations"]
    assert large < 1.5 * small, (small, large)


def test_arguments_are_checked(tmp_path):
    with pytest.raises(ValueError):
        generate(tmp_path, people=0)
    with pytest.raises(ValueError):
        generate(tmp_path, first_extract=date(2025, 3, 31), last_extract=date(2025, 3, 24))
