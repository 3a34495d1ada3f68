"""Small builders for landing folders in tests: valid rows per entity, written as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from pathlib import Path

from threec.config import Settings, load_settings

TEST_KEY = "test-pseudonym-key-0123456789abcdef"
TEST_VAULT_KEY = "test-vault-key-fedcba9876543210-0123"

GOOD = {
    "people": dict(person_id="P1", nhs_number="9434765919", date_of_birth="1950-01-01", date_of_death="",
                   gender="M", ethnicity="A", postcode="LS1 4AP", primary_support_reason="PHYS_PERSONAL",
                   has_unpaid_carer="Y", accommodation="OWN_HOME", last_modified="2025-03-01T09:00:00",
                   is_deleted="false"),
    "teams": dict(team_id="T1", team_name="North Community", team_type="COMMUNITY", locality="North",
                  three_c_go_live_date="2024-01-01", last_modified="2025-03-01T09:00:00", is_deleted="false"),
    "requests": dict(request_id="R1", person_id="P1", team_id="T1", request_date="2025-01-10",
                     route_of_access="COMMUNITY", last_modified="2025-03-01T09:00:00", is_deleted="false"),
    "conversations": dict(conversation_id="C1", person_id="P1", request_id="R1", team_id="T1", worker_id="W1",
                          conversation_type="C1", start_date="2025-01-12", end_date="2025-01-20",
                          outcome="INFO_ADVICE", escalation_reason="", escalation_note="",
                          peer_challenge_date="", last_modified="2025-03-01T09:00:00", is_deleted="false"),
    "packages": dict(package_id="K1", person_id="P1", conversation_id="C1", service_type="LTS_COMMUNITY",
                     service_component="HOME_CARE", delivery_mechanism="COMMISSIONED", start_date="2025-01-01",
                     end_date="", unit_cost="20.50", cost_frequency="HOURLY", planned_units_per_week="10",
                     client_contribution_weekly="0", provider_id="PR1", last_modified="2025-03-01T09:00:00",
                     is_deleted="false"),
    "hospital_delays": dict(delay_id="D1", person_id="P1", nhs_number="", provider_code="RXX01",
                            provider_name="General", bed_type="ACUTE", ready_date="2025-01-01",
                            discharge_date="2025-01-03", reason_code="A", responsible_org="NHS",
                            last_modified="2025-03-01T09:00:00", is_deleted="false"),
}


def row(entity: str, **changes: str) -> dict[str, str]:
    out = dict(GOOD[entity])
    out.update(changes)
    return out


def write_csv(folder: Path, entity: str, rows: list[dict[str, str]], header: list[str] | None = None,
              bom: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{entity}.csv"
    header = header or list(rows[0].keys() if rows else GOOD[entity].keys())
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(header)
        for r in rows:
            writer.writerow([r.get(h.strip().lower(), "") for h in header])
    return path


def write_manifest(folder: Path, entries: dict[str, tuple[int, str]]) -> None:
    with (folder / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["entity", "file", "row_count", "sha256"])
        for entity, (count, sha) in entries.items():
            writer.writerow([entity, f"{entity}.csv", count, sha])


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def settings_for(tmp: Path, **extra: str) -> Settings:
    overrides = {
        "THREEC_LANDING_DIR": str(tmp / "landing"),
        "THREEC_WAREHOUSE": str(tmp / "warehouse" / "threec.duckdb"),
        "THREEC_OUTPUT_DIR": str(tmp / "output"),
        "THREEC_RETURNS_DIR": str(tmp / "returns"),
        "THREEC_PSEUDONYM_KEY": TEST_KEY,
        "THREEC_VAULT_KEY": TEST_VAULT_KEY,
    }
    overrides.update(extra)
    return load_settings(overrides)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
