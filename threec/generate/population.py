"""Who the people are: ages, needs, where they live, whether they already get support."""

from __future__ import annotations

import numpy as np

from threec.contract import load_contract

from . import council
from .identifiers import nhs_numbers
from .practice import draw, weights

_C = load_contract()
GENDERS = tuple(_C.codes("gender"))
ETHNICITIES = tuple(_C.codes("ethnicity"))
PSRS = tuple(_C.codes("primary_support_reason"))
CARER = tuple(_C.codes("yes_no_unknown"))
ACCOMMODATION = tuple(_C.codes("accommodation"))
_G = {c: i for i, c in enumerate(GENDERS)}
_E = {c: i for i, c in enumerate(ETHNICITIES)}
_P = {c: i for i, c in enumerate(PSRS)}
_Y = {c: i for i, c in enumerate(CARER)}
_A = {c: i for i, c in enumerate(ACCOMMODATION)}
LD = _P["LEARNING_DISABILITY"]
MH = _P["MENTAL_HEALTH"]

_GENDER_W = weights((("F", 0.58), ("M", 0.41), ("X", 0.003), ("U", 0.007)), _G)
_ETHNICITY_W = weights((("A", 0.72), ("B", 0.01), ("C", 0.05), ("D", 0.01), ("E", 0.005), ("F", 0.01),
                        ("G", 0.005), ("H", 0.04), ("J", 0.05), ("K", 0.015), ("L", 0.01), ("M", 0.02),
                        ("N", 0.02), ("P", 0.005), ("R", 0.005), ("S", 0.01), ("Z", 0.03)), _E)
_PSR_YOUNGER = weights((("LEARNING_DISABILITY", 0.25), ("MENTAL_HEALTH", 0.24), ("PHYS_PERSONAL", 0.25),
                        ("PHYS_ACCESS", 0.08), ("SENS_VISUAL", 0.02), ("SENS_HEARING", 0.02),
                        ("SENS_DUAL", 0.01), ("SOCIAL_SUBSTANCE", 0.04), ("SOCIAL_ASYLUM", 0.01),
                        ("SOCIAL_ISOLATION", 0.04), ("MEMORY_COGNITION", 0.01), ("UNKNOWN", 0.03)), _P)
_PSR_OLDER = weights((("PHYS_PERSONAL", 0.55), ("MEMORY_COGNITION", 0.18), ("PHYS_ACCESS", 0.10),
                      ("SENS_VISUAL", 0.03), ("SENS_HEARING", 0.02), ("MENTAL_HEALTH", 0.04),
                      ("SOCIAL_ISOLATION", 0.04), ("LEARNING_DISABILITY", 0.01), ("UNKNOWN", 0.03)), _P)
_CARER_W = weights((("Y", 0.45), ("N", 0.35), ("U", 0.20)), _Y)
_ACCOM_W = weights((("OWN_HOME", 0.70), ("FAMILY", 0.12), ("SUPPORTED_LIVING", 0.03), ("RESIDENTIAL", 0.04),
                    ("NURSING", 0.02), ("HOMELESS", 0.01), ("OTHER", 0.03), ("UNKNOWN", 0.05)), _A)
_ACCOM_LD = weights((("FAMILY", 0.45), ("SUPPORTED_LIVING", 0.35), ("OWN_HOME", 0.15), ("OTHER", 0.05)), _A)


def make_people(rng: np.random.Generator, first_index: int, n: int, last_day: int) -> dict[str, np.ndarray]:
    """Attributes of people first_index .. first_index + n - 1 (0-based, global)."""
    u = rng.random((n, 8))
    older = u[:, 0] >= 0.38
    age = np.where(older, 65 + np.minimum(rng.gamma(2.2, 6.5, n), 39.0), 18 + u[:, 1] * 47)
    dob = (last_day - np.round(age * 365.25) - (u[:, 2] * 364).astype(int)).astype(np.int32)
    psr = np.where(older, draw(rng, *_PSR_OLDER, n), draw(rng, *_PSR_YOUNGER, n)).astype(np.int8)
    psr_recorded = np.where(u[:, 3] < 0.04, -1, psr).astype(np.int8)  # not recorded for some
    locality = np.minimum(np.searchsorted(np.cumsum(council.LOCALITY_WEIGHTS), u[:, 4], side="right"),
                          len(council.LOCALITIES) - 1).astype(np.int8)
    home_team = np.array(council.COMMUNITY_BY_LOCALITY, np.int8)[locality]
    home_team = np.where(psr == LD, council.LEARNING_DISABILITY, home_team)
    home_team = np.where((psr == MH) & ~older, council.MENTAL_HEALTH, home_team).astype(np.int8)
    choice = (u[:, 5] * 3).astype(int)
    district = np.array(council.LOCALITY_DISTRICTS, dtype=np.int16)[locality, choice]
    district = np.where(u[:, 6] < 0.02, 0, district).astype(np.int16)  # no postcode recorded
    accommodation = np.where(psr == LD, draw(rng, *_ACCOM_LD, n), draw(rng, *_ACCOM_W, n)).astype(np.int8)
    index = np.arange(first_index, first_index + n, dtype=np.int64)
    nhs = nhs_numbers(index)
    nhs = np.where(u[:, 7] < 0.02, -1, nhs)  # no NHS number recorded
    existing_p = np.where(psr == LD, 0.5, np.where(older, 0.22, 0.16))
    return {
        "person_num": index + 1,
        "dob": dob,
        "age": age,
        "older": older,
        "gender": draw(rng, *_GENDER_W, n).astype(np.int8),
        "ethnicity": np.where(rng.random(n) < 0.03, -1, draw(rng, *_ETHNICITY_W, n)).astype(np.int8),
        "psr": psr,
        "psr_recorded": psr_recorded,
        "carer": np.where(rng.random(n) < 0.05, -1, draw(rng, *_CARER_W, n)).astype(np.int8),
        "accommodation": np.where(rng.random(n) < 0.03, -1, accommodation).astype(np.int8),
        "locality": locality,
        "home_team": home_team,
        "district": district,
        "sector": rng.integers(0, 10, n).astype(np.int8),
        "unit": rng.integers(0, len(council.INWARD_LETTERS) ** 2, n).astype(np.int16),
        "nhs": nhs,
        "nhs_spaced": rng.random(n) < 0.12,
        "existing": rng.random(n) < existing_p,
    }
