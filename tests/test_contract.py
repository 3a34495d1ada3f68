"""The contract file is the single source: it loads, it matches the spec's lists, and the
files generated from it are in sync."""

from __future__ import annotations

import csv

import pytest
import yaml

from threec.config import REPO_ROOT
from threec.contract import load_contract
from threec.render import stale


def test_generated_files_are_in_sync_with_the_contract():
    assert stale(REPO_ROOT) == [], "run `threec contract render`"


def test_six_entities_with_their_ids():
    c = load_contract()
    assert {n: e.id_column for n, e in c.entities.items()} == {
        "people": "person_id", "teams": "team_id", "requests": "request_id",
        "conversations": "conversation_id", "packages": "package_id", "hospital_delays": "delay_id"}
    for e in c.entities.values():
        names = [col.name for col in e.columns]
        assert names[-2:] == ["last_modified", "is_deleted"]


def test_code_lists_match_the_spec_words():
    c = load_contract()
    assert c.codes("conversation_type") == ["C1A", "C1", "C2", "C3"]
    assert c.positive_outcomes() == ["INFO_ADVICE", "COMMUNITY_CONNECTED", "EQUIPMENT", "REABLEMENT",
                                     "CRISIS_RESOLVED", "SUPPORT_PLAN_AGREED", "NO_PLAN_NEEDED"]
    assert len(c.codes("outcome")) == 14
    assert c.codes("ethnicity") == list("ABCDEFGHJKLMNPRSZ")
    assert c.long_term_service_types() == ["LTS_NURSING", "LTS_RESIDENTIAL", "LTS_COMMUNITY", "LTS_PRISON"]
    assert c.codes("delay_reason") == ["A", "B", "C", "D1", "D2", "E", "F", "G", "H", "I"]
    assert len(c.codes("cost_frequency")) == 11 and len(c.codes("service_component")) == 15


def test_seed_holds_every_code_and_the_units_per_week():
    path = REPO_ROOT / "dbt_project/seeds/export_codes.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    c = load_contract()
    assert len(rows) == sum(len(v) for v in c.code_lists.values())
    upw = {r["code"]: r["units_per_week"] for r in rows if r["code_list"] == "cost_frequency"}
    assert float(upw["MONTHLY"]) == pytest.approx(12 / 52) and float(upw["QUARTERLY"]) == pytest.approx(4 / 52)
    assert float(upw["FORTNIGHTLY"]) == 0.5 and float(upw["NO_CHARGE"]) == 0 and upw["ONE_OFF"] == ""
    ranks = {r["code"]: int(r["sort_order"]) for r in rows if r["code_list"] == "conversation_type"}
    assert ranks["C1A"] < ranks["C1"] < ranks["C2"] < ranks["C3"]


def test_dbt_sources_list_every_raw_column_and_no_personal_column():
    doc = yaml.safe_load((REPO_ROOT / "dbt_project/models/staging/_sources.yml").read_text())
    tables = {t["name"]: [col["name"] for col in t["columns"]] for t in doc["sources"][0]["tables"]}
    assert set(tables) == set(load_contract().entities)
    assert "nhs_pseudonym" in tables["people"] and "nhs_number" not in tables["people"]
    assert "postcode" not in tables["people"] and "escalation_note" not in tables["conversations"]
    assert "escalation_note_meaningful" in tables["conversations"]


def test_a_typo_in_a_rule_is_refused(monkeypatch, tmp_path):
    import threec.contract as mod
    text = (REPO_ROOT / "threec/contract.yaml").read_text().replace("max_length: 36", "max_lenght: 36")
    monkeypatch.setattr(mod.resources, "files", lambda _pkg: tmp_path)
    (tmp_path / "contract.yaml").write_text(text)
    mod.load_contract.cache_clear()
    try:
        with pytest.raises(ValueError, match="max_lenght"):
            mod.load_contract()
    finally:
        mod.load_contract.cache_clear()
