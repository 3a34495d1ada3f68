"""Typed version rows -> the text a case system writes, in each file's own dialect.

Every variation here is allowed by the contract: timestamps with or without fraction
and offset (an offset always gives the same instant as UK local time would), booleans
as true/false, Y/N or 1/0, empty strings for null. A version's millisecond part is a
property of the version, so the same version renders to the same instant in any file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import numpy as np

from threec.contract import load_contract

from . import council, notes
from .delays import BED_TYPES, ORGS, REASONS as DELAY_REASONS
from .identifiers import render_ids, render_nhs, render_postcodes
from .population import ACCOMMODATION, CARER, ETHNICITIES, GENDERS, PSRS
from .practice import CONV_TYPES, OUTCOMES, REASONS
from .services import COMPONENTS, FREQUENCIES, MECHANISMS, SERVICE_TYPES
from .simulate import ROUTES, TEAM_TYPES
from .tables import Table

_C = load_contract()
TIMESTAMP_STYLES = ("plain", "fraction", "offset", "utc")
BOOLEAN_STYLES = {"truefalse": ("true", "false"), "YN": ("Y", "N"), "10": ("1", "0"), "true_blank": ("true", "")}


@dataclass(frozen=True)
class FileStyle:
    bom: bool = False
    header: str = "as_is"  # as_is | upper_spaced | title | spaced
    shuffle: bool = False
    timestamps: str = "plain"  # one of TIMESTAMP_STYLES or "mixed"
    booleans: str = "truefalse"
    extra_column: tuple[str, str] | None = None  # (name, constant value)
    drop_is_deleted: bool = False

    def header_name(self, name: str) -> str:
        if self.header == "upper_spaced":
            return f" {name.upper()} "
        if self.header == "title":
            return "_".join(part.capitalize() for part in name.split("_"))
        if self.header == "spaced":
            return f"  {name}"
        return name


def contract_columns(entity: str) -> list[str]:
    return [c.name for c in _C.entities[entity].columns]


def _lookup(values, index: np.ndarray) -> np.ndarray:
    table = np.array(list(values) + [""])
    return table[np.where(np.asarray(index) < 0, len(values), index)]


def render_dates(days: np.ndarray, nullable: bool = True) -> np.ndarray:
    """ISO dates from day numbers (days since 1970-01-01); -1 is null unless not nullable
    (dates of birth, which can be before 1970, are never null)."""
    days = np.asarray(days, np.int64)
    text = np.datetime_as_string(days.astype("datetime64[D]"))
    return np.where(days < 0, "", text) if nullable else text


@cache
def _bst_bounds() -> tuple[np.ndarray, np.ndarray]:
    """Day numbers of the first and last+1 local days of British Summer Time, by year."""
    starts, ends = [], []
    for year in range(1900, 2101):
        march = date(year, 3, 31)
        march -= timedelta(days=(march.weekday() + 1) % 7)
        october = date(year, 10, 31)
        october -= timedelta(days=(october.weekday() + 1) % 7)
        starts.append((march - date(1970, 1, 1)).days)
        ends.append((october - date(1970, 1, 1)).days)
    return np.array(starts), np.array(ends)


def in_summer_time(days: np.ndarray) -> np.ndarray:
    """Local days in BST (times of day are office hours, so the change hour never matters)."""
    years = np.asarray(days, np.int64).astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970
    starts, ends = _bst_bounds()
    k = np.clip(years - 1900, 0, len(starts) - 1)
    return (days >= starts[k]) & (days < ends[k])


def render_timestamps(day, sec, ms, style: str, rng: np.random.Generator) -> np.ndarray:
    day = np.asarray(day, np.int64)
    sec = np.asarray(sec, np.int64)
    ms = np.asarray(ms, np.int64)
    n = len(day)
    styles = np.full(n, TIMESTAMP_STYLES.index(style) if style in TIMESTAMP_STYLES else 0)
    if style == "mixed":
        styles = rng.integers(0, len(TIMESTAMP_STYLES), n)
    bst = in_summer_time(day)
    local = day * 86400 + sec
    utc = styles == TIMESTAMP_STYLES.index("utc")
    instant = np.where(utc, local - np.where(bst, 3600, 0), local)
    text = np.datetime_as_string(instant.astype("datetime64[s]"), unit="s")
    frac = np.strings.add(".", np.strings.zfill(ms.astype("U3"), 3))
    with_frac = (ms > 0) | (styles == TIMESTAMP_STYLES.index("fraction"))
    text = np.where(with_frac, np.strings.add(text, frac), text)
    offset = np.where(utc, "+00:00", np.where(bst, "+01:00", "+00:00"))
    has_offset = utc | (styles == TIMESTAMP_STYLES.index("offset"))
    return np.where(has_offset, np.strings.add(text, offset), text)


def render_money(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, float)
    pennies = np.round(np.nan_to_num(values) * 100).astype(np.int64)
    text = np.strings.add(np.strings.add((pennies // 100).astype("U12"), "."),
                          np.strings.zfill((pennies % 100).astype("U2"), 2))
    return np.where(np.isnan(values), "", text)


def render_number(values: np.ndarray) -> np.ndarray:
    """Shortest decimal to two places: 14, 7.5, 3.25."""
    values = np.asarray(values, float)
    pennies = np.round(np.nan_to_num(values) * 100).astype(np.int64)
    whole = (pennies // 100).astype("U12")
    frac = pennies % 100
    tenths = np.strings.add(np.strings.add(whole, "."), (frac // 10).astype("U1"))
    hundredths = np.strings.add(np.strings.add(whole, "."), np.strings.zfill(frac.astype("U2"), 2))
    text = np.where(frac == 0, whole, np.where(frac % 10 == 0, tenths, hundredths))
    return np.where(np.isnan(values), "", text)


_TEAM_IDS = [t.team_id for t in council.TEAMS]
_WORKER_PREFIX = np.array([f"W{t.team_id[1:]}-" for t in council.TEAMS])
_PROVIDER_CODES = [h.code for h in council.HOSPITALS]
_PROVIDER_NAMES = [h.name for h in council.HOSPITALS]
_NOTES = np.array(list(notes.NOTES) + [""], dtype=object)


def _people(t: Table) -> dict[str, np.ndarray]:
    return {
        "person_id": render_ids("P", t["person_num"], 8),
        "nhs_number": render_nhs(t["nhs"], t["nhs_spaced"]),
        "date_of_birth": render_dates(t["dob"], nullable=False),
        "date_of_death": render_dates(t["dod"]),
        "gender": _lookup(GENDERS, t["gender"]),
        "ethnicity": _lookup(ETHNICITIES, t["ethnicity"]),
        "postcode": render_postcodes(t["district"], t["sector"], t["unit"]),
        "primary_support_reason": _lookup(PSRS, t["psr"]),
        "has_unpaid_carer": _lookup(CARER, t["carer"]),
        "accommodation": _lookup(ACCOMMODATION, t["accommodation"]),
    }


def _teams(t: Table) -> dict[str, np.ndarray]:
    teams = council.TEAMS
    idx = t["team"]
    live = np.array([-1 if x.go_live is None else (x.go_live - date(1970, 1, 1)).days for x in teams])
    return {
        "team_id": _lookup(_TEAM_IDS, idx),
        "team_name": t["name"],
        "team_type": _lookup(TEAM_TYPES, np.array([TEAM_TYPES.index(x.team_type) for x in teams])[idx]),
        "locality": _lookup([x.locality or "" for x in teams], idx),
        "three_c_go_live_date": render_dates(live[idx]),
    }


def _requests(t: Table) -> dict[str, np.ndarray]:
    return {
        "request_id": render_ids("RQ", t["request_num"], 9),
        "person_id": render_ids("P", t["person_num"], 8),
        "team_id": _lookup(_TEAM_IDS, t["team"]),
        "request_date": render_dates(t["day"]),
        "route_of_access": _lookup(ROUTES, t["route"]),
    }


def _conversations(t: Table) -> dict[str, np.ndarray]:
    worker = np.strings.add(_WORKER_PREFIX[t["team"]], np.strings.zfill(t["worker"].astype("U6"), 3))
    return {
        "conversation_id": render_ids("CV", t["conversation_num"], 9),
        "person_id": render_ids("P", t["person_num"], 8),
        "request_id": render_ids("RQ", t["request_num"], 9),
        "team_id": _lookup(_TEAM_IDS, t["team"]),
        "worker_id": np.where(t["worker"] < 0, "", worker),
        "conversation_type": _lookup(CONV_TYPES, t["ctype"]),
        "start_date": render_dates(t["start"]),
        "end_date": render_dates(t["end"]),
        "outcome": _lookup(OUTCOMES, t["outcome"]),
        "escalation_reason": _lookup(REASONS, t["reason"]),
        "escalation_note": _NOTES[np.where(t["note"] < 0, len(_NOTES) - 1, t["note"])],
        "peer_challenge_date": render_dates(t["peer"]),
    }


def _packages(t: Table) -> dict[str, np.ndarray]:
    return {
        "package_id": render_ids("PK", t["package_num"], 9),
        "person_id": render_ids("P", t["person_num"], 8),
        "conversation_id": render_ids("CV", t["conversation_num"], 9),
        "service_type": _lookup(SERVICE_TYPES, t["service_type"]),
        "service_component": _lookup(COMPONENTS, t["component"]),
        "delivery_mechanism": _lookup(MECHANISMS, t["mechanism"]),
        "start_date": render_dates(t["start"]),
        "end_date": render_dates(t["end"]),
        "unit_cost": render_money(t["unit_cost"]),
        "cost_frequency": _lookup(FREQUENCIES, t["freq"]),
        "planned_units_per_week": render_number(t["planned"]),
        "client_contribution_weekly": render_money(t["contribution"]),
        "provider_id": render_ids("PRV", t["provider"], 4),
    }


def _hospital_delays(t: Table) -> dict[str, np.ndarray]:
    return {
        "delay_id": render_ids("DT", t["delay_num"], 8),
        "person_id": render_ids("P", t["person_num"], 8),
        "nhs_number": render_nhs(t["nhs"], t["nhs_spaced"]),
        "provider_code": _lookup(_PROVIDER_CODES, t["provider"]),
        "provider_name": _lookup(_PROVIDER_NAMES, t["provider"]),
        "bed_type": _lookup(BED_TYPES, t["bed_type"]),
        "ready_date": render_dates(t["ready"]),
        "discharge_date": render_dates(t["discharge"]),
        "reason_code": _lookup(DELAY_REASONS, t["reason"]),
        "responsible_org": _lookup(ORGS, t["org"]),
    }


_RENDERERS = {"people": _people, "teams": _teams, "requests": _requests, "conversations": _conversations,
              "packages": _packages, "hospital_delays": _hospital_delays}


def render(entity: str, t: Table, style: FileStyle, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Column name -> object array of field text, for every contract column."""
    cols = _RENDERERS[entity](t)
    cols["last_modified"] = render_timestamps(t["lm_day"], t["lm_sec"], t["lm_ms"], style.timestamps, rng)
    yes, no = BOOLEAN_STYLES[style.booleans]
    cols["is_deleted"] = np.where(t["deleted"], yes, no)
    return {k: np.asarray(v, dtype=object) for k, v in cols.items()}
