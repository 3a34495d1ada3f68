"""Messy rows: rows that break the contract, so the pipeline must quarantine them.

Rows are picked per file from the typed versions (so a kind is only applied where it
makes sense: an outcome removed from an ended conversation, planned units removed
from an hourly line) and broken in their rendered text. Each broken row breaks
exactly one rule, so the count per kind is the count the quarantine should show.
Also here: rows that load but are noted (an NHS number with a wrong check digit,
which ingest nulls and reports).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import numpy as np

from threec.contract import load_contract

from .identifiers import corrupt_check_digit
from .practice import CONV_TYPES
from .services import FREQ
from .tables import Table, length

_C = load_contract()

KINDS = (
    "missing_required", "bad_date", "bad_timestamp", "bad_boolean", "bad_code", "negative_unit_cost",
    "end_before_start", "outcome_missing_on_ended", "outcome_on_open", "hourly_without_planned_units",
    "dob_in_future", "dob_too_old", "death_before_birth", "person_id_too_long", "bad_postcode",
    "unit_cost_pound_sign",
)
NOTED_KINDS = ("invalid_nhs_number",)

# kinds per entity, with relative weights
_BY_ENTITY: dict[str, dict[str, float]] = {
    "people": {"missing_required": 1, "bad_date": 1, "bad_timestamp": 1, "bad_boolean": 0.5, "bad_code": 1,
               "dob_in_future": 1, "dob_too_old": 1, "death_before_birth": 1, "person_id_too_long": 1,
               "bad_postcode": 1},
    "requests": {"missing_required": 1, "bad_date": 1, "bad_timestamp": 1, "bad_boolean": 0.5, "bad_code": 1},
    "conversations": {"missing_required": 1, "bad_date": 1, "bad_timestamp": 1, "bad_boolean": 0.5,
                      "bad_code": 1.5, "end_before_start": 1, "outcome_missing_on_ended": 1,
                      "outcome_on_open": 1},
    "packages": {"missing_required": 1, "bad_date": 1, "bad_timestamp": 0.5, "bad_boolean": 0.5, "bad_code": 1,
                 "negative_unit_cost": 1, "end_before_start": 1, "hourly_without_planned_units": 1,
                 "unit_cost_pound_sign": 1},
    "hospital_delays": {"missing_required": 1, "bad_date": 1, "bad_timestamp": 0.5, "bad_code": 1,
                        "end_before_start": 1},
    "teams": {},
}
_MAIN_DATE = {"people": "date_of_birth", "requests": "request_date", "conversations": "start_date",
              "packages": "start_date", "hospital_delays": "ready_date"}
_END_OF = {"conversations": ("start_date", "end_date"), "packages": ("start_date", "end_date"),
           "hospital_delays": ("ready_date", "discharge_date")}
_NOT_IN_LIST = {"gender": "Female", "conversation_type": "C4", "outcome": "CLOSED", "route_of_access": "GP_REFERRAL",
                "service_type": "LTS_HOME", "bed_type": "COMMUNITY", "reason_code": "D3",
                "responsible_org": "COUNCIL", "cost_frequency": "BIWEEKLY", "primary_support_reason": "FRAILTY",
                "accommodation": "CARE_HOME", "ethnicity": "W"}
_BAD_POSTCODES = ("NOT KNOWN", "12345", "FW3 7NQQ", "FW3 7N", "FW3-7NQ", "NFA")
_BAD_BOOLEANS = ("maybe", "2", "deleted", "yes please")
_TOO_LONG_SUFFIX = "-MIGRATED-FROM-LEGACY-CASE-SYSTEM"


def _eligible(entity: str, kind: str, t: Table, has_is_deleted: bool) -> np.ndarray:
    n = length(t)
    yes = np.ones(n, bool)
    if kind == "bad_boolean":
        return yes & has_is_deleted
    if entity == "conversations":
        if kind in ("end_before_start", "outcome_missing_on_ended"):
            return t["end"] >= 0
        if kind == "outcome_on_open":
            return t["end"] < 0
    if entity == "packages":
        if kind == "hourly_without_planned_units":
            return t["freq"] == FREQ["HOURLY"]
        if kind == "end_before_start":
            return t["end"] >= 0
    if entity == "hospital_delays" and kind == "end_before_start":
        return t["discharge"] >= 0
    if entity == "people" and kind == "bad_postcode":
        return t["district"] > 0
    return yes


def select(entity: str, t: Table, rng: np.random.Generator, rate: float, at_least: int,
           protected: np.ndarray | None, has_is_deleted: bool, extra: int = 0) -> dict[int, str]:
    """Rows to break in one file: row -> kind. About `rate` of the rows, plus `extra`,
    and at least `at_least` of every kind that fits the entity."""
    kinds = _BY_ENTITY.get(entity, {})
    n = length(t)
    if not kinds or n == 0:
        return {}
    names = list(kinds)
    w = np.array([kinds[k] for k in names], float)
    count = rng.binomial(n, rate) + extra
    drawn = Counter(rng.choice(len(names), size=count, p=w / w.sum()).tolist())
    wanted = {names[i]: c for i, c in drawn.items()}
    for name in names:
        wanted[name] = max(wanted.get(name, 0), at_least)
    free = np.ones(n, bool) if protected is None else ~protected
    out: dict[int, str] = {}
    for name in names:  # fixed order: deterministic
        k = wanted.get(name, 0)
        if not k:
            continue
        pool = np.flatnonzero(free & _eligible(entity, name, t, has_is_deleted))
        if not len(pool):
            continue
        chosen = rng.choice(pool, size=min(k, len(pool)), replace=False)
        free[chosen] = False
        for row in np.sort(chosen).tolist():
            out[row] = name
    return out


def note_invalid_nhs(t: Table, rng: np.random.Generator, rate: float, at_least: int,
                     taken: set[int], protected: np.ndarray | None) -> int:
    """Give some rows an NHS number with a wrong check digit (in place); returns how many."""
    if "nhs" not in t or length(t) == 0:
        return 0
    ok = t["nhs"] >= 0
    if protected is not None:
        ok &= ~protected
    pool = np.setdiff1d(np.flatnonzero(ok), np.fromiter(taken, np.int64, len(taken)))
    k = min(len(pool), max(rng.binomial(length(t), rate), at_least))
    if not k:
        return 0
    chosen = rng.choice(pool, size=k, replace=False)
    t["nhs"] = t["nhs"].copy()
    t["nhs"][chosen] = [corrupt_check_digit(int(x)) for x in t["nhs"][chosen]]
    return k


def _iso(text: str) -> date:
    return date.fromisoformat(text)


def apply(entity: str, cols: dict[str, np.ndarray], row: int, kind: str, rng: np.random.Generator,
          extract_day: date) -> None:
    """Break one rendered row (object arrays, changed in place)."""
    u = rng.random()
    if kind == "missing_required":
        required = _C.entities[entity].required_columns
        cols[required[int(u * len(required))]][row] = ""
    elif kind == "bad_date":
        col = _MAIN_DATE[entity]
        d = _iso(cols[col][row])
        cols[col][row] = (d.strftime("%d/%m/%Y") if u < 0.4 else f"{d.year}-02-30" if u < 0.7
                          else f"{d.year}-13-{d.day:02d}")
    elif kind == "bad_timestamp":
        day = cols["last_modified"][row][:10]
        d = _iso(day)
        cols["last_modified"][row] = (d.strftime("%d/%m/%Y %H:%M") if u < 0.35 else f"{day}T25:10:00" if u < 0.6
                                      else f"{d.year}-02-30T09:15:00" if u < 0.85 else "not recorded")
    elif kind == "bad_boolean":
        cols["is_deleted"][row] = _BAD_BOOLEANS[int(u * len(_BAD_BOOLEANS))]
    elif kind == "bad_code":
        code_cols = [c.name for c in _C.entities[entity].columns if c.type == "code" and cols[c.name][row]]
        col = code_cols[int(u * len(code_cols))]
        value = cols[col][row]
        if rng.random() < 0.35 and col in _NOT_IN_LIST:
            cols[col][row] = _NOT_IN_LIST[col]
        else:
            bent = value.title() if rng.random() < 0.5 else value.lower()
            cols[col][row] = bent if bent != value else value.lower()
    elif kind == "negative_unit_cost":
        value = cols["unit_cost"][row]
        cols["unit_cost"][row] = "-" + value if value not in ("", "0.00") else "-12.50"
    elif kind == "unit_cost_pound_sign":
        cols["unit_cost"][row] = "£" + cols["unit_cost"][row]
    elif kind == "end_before_start":
        start_col, end_col = _END_OF[entity]
        cols[end_col][row] = (_iso(cols[start_col][row]) - timedelta(days=1 + int(u * 30))).isoformat()
    elif kind == "outcome_missing_on_ended":
        cols["outcome"][row] = ""
    elif kind == "outcome_on_open":
        is_c3 = cols["conversation_type"][row] == CONV_TYPES[-1]
        cols["outcome"][row] = "SUPPORT_PLAN_AGREED" if is_c3 else "INFO_ADVICE"
    elif kind == "hourly_without_planned_units":
        cols["planned_units_per_week"][row] = ""
    elif kind == "dob_in_future":
        cols["date_of_birth"][row] = (extract_day + timedelta(days=1 + int(u * 500))).isoformat()
        cols["date_of_death"][row] = ""
    elif kind == "dob_too_old":
        dob = extract_day - timedelta(days=int((121 + u * 9) * 365.25))
        cols["date_of_birth"][row] = dob.isoformat()
        cols["date_of_death"][row] = ""
    elif kind == "death_before_birth":
        dob = _iso(cols["date_of_birth"][row])
        cols["date_of_death"][row] = (dob - timedelta(days=1 + int(u * 2000))).isoformat()
    elif kind == "person_id_too_long":
        cols["person_id"][row] = cols["person_id"][row] + _TOO_LONG_SUFFIX
    elif kind == "bad_postcode":
        cols["postcode"][row] = _BAD_POSTCODES[int(u * len(_BAD_POSTCODES))]
    else:
        raise ValueError(f"unknown messy kind {kind!r}")
