"""Delayed transfers of care: patients ready to leave hospital who have not left."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from threec.contract import load_contract

from . import council
from .practice import draw, draw_bands, weights

if TYPE_CHECKING:
    from .simulate import Chunk

_C = load_contract()
BED_TYPES = tuple(_C.codes("bed_type"))
REASONS = tuple(_C.codes("delay_reason"))
ORGS = tuple(_C.codes("responsible_org"))
_R = {c: i for i, c in enumerate(REASONS)}
_ORG = {c: i for i, c in enumerate(ORGS)}

HOSPITAL_BED = np.array([BED_TYPES.index(h.bed_type) for h in council.HOSPITALS], np.int8)
_BY_TEAM = {
    team: weights([(i, h.weight) for i, h in enumerate(council.HOSPITALS) if h.team == team],
                  {i: i for i in range(len(council.HOSPITALS))})
    for team in {h.team for h in council.HOSPITALS}
}
_ACUTE = weights([(i, h.weight) for i, h in enumerate(council.HOSPITALS) if h.bed_type == "ACUTE"],
                 {i: i for i in range(len(council.HOSPITALS))})
_ANY = weights([(i, h.weight) for i, h in enumerate(council.HOSPITALS)], {i: i for i in range(len(council.HOSPITALS))})

# reasons for patients waiting on social care, [old model, live]
_SOCIAL = (
    weights((("A", 0.42), ("B", 0.05), ("C", 0.05), ("D1", 0.10), ("D2", 0.07), ("E", 0.20), ("F", 0.05),
             ("G", 0.04), ("H", 0.01), ("I", 0.01)), _R),
    weights((("A", 0.18), ("B", 0.04), ("C", 0.10), ("D1", 0.10), ("D2", 0.08), ("E", 0.25), ("F", 0.10),
             ("G", 0.09), ("H", 0.02), ("I", 0.04)), _R),
)
# patients not known to the council: mostly NHS reasons
_NHS_ONLY = weights((("C", 0.45), ("G", 0.25), ("I", 0.12), ("H", 0.05), ("F", 0.08), ("A", 0.05)), _R)
_LENGTH = (
    ((0.08, 0, 0), (0.25, 1, 3), (0.37, 4, 13), (0.22, 14, 35), (0.08, 36, 90)),
    ((0.22, 0, 0), (0.40, 1, 3), (0.28, 4, 13), (0.09, 14, 30), (0.01, 31, 60)),
)
# responsible organisation: chance of SOCIAL_CARE, then BOTH, per reason (rest NHS)
_ORG_SPLIT = {"A": (0.95, 0.05), "B": (0.85, 0.15), "C": (0.0, 0.05), "D1": (0.75, 0.20), "D2": (0.70, 0.25),
              "E": (0.85, 0.12), "F": (0.20, 0.50), "G": (0.30, 0.10), "H": (0.10, 0.80), "I": (0.45, 0.15)}
_SOCIAL_P = np.array([_ORG_SPLIT[r][0] for r in REASONS])
_BOTH_P = np.array([_ORG_SPLIT[r][1] for r in REASONS])


def _orgs(rng, reason: np.ndarray) -> np.ndarray:
    u = rng.random(len(reason))
    return np.select([u < _SOCIAL_P[reason], u < _SOCIAL_P[reason] + _BOTH_P[reason]],
                     [_ORG["SOCIAL_CARE"], _ORG["BOTH"]], _ORG["NHS"]).astype(np.int8)


def _add(ch: Chunk, person, provider, ready, length, reason, nhs_known) -> None:
    rng = ch.rng
    L = ch.last_day
    keep = ready <= L
    person, provider, ready, length, reason, nhs_known = (
        a[keep] for a in (person, provider, ready, length, reason, nhs_known))
    discharge = ready + length
    discharge = np.where(discharge > L, -1, discharge)  # still delayed
    nhs = np.where(person >= 0, ch.people["nhs"][np.maximum(person, 0)], -1)
    nhs = np.where(nhs_known, nhs, -1)
    ch.delays.add(person=person, nhs=nhs, nhs_spaced=rng.random(len(person)) < 0.3, provider=provider,
                  bed_type=HOSPITAL_BED[provider], ready=ready, discharge=discharge, reason=reason,
                  org=_orgs(rng, reason))


def delays_for_discharges(ch: Chunk, person, team, request_day, placed) -> None:
    """Some hospital-discharge requests were delayed in a bed first."""
    rng = ch.rng
    n = len(person)
    delayed = rng.random(n) < 0.5
    person, team, request_day, placed = person[delayed], team[delayed], request_day[delayed], placed[delayed]
    n = len(person)
    if not n:
        return
    provider = draw(rng, *_ACUTE, n)
    for t, w in _BY_TEAM.items():
        sel = np.flatnonzero(team == t)
        provider[sel] = draw(rng, *w, len(sel))
    live = ch.live(team, request_day).astype(int)
    length = np.empty(n, np.int32)
    reason = np.empty(n, np.int16)
    for lv in (0, 1):
        sel = np.flatnonzero(live == lv)
        length[sel] = draw_bands(rng, _LENGTH[lv], len(sel))
        reason[sel] = draw(rng, *_SOCIAL[lv], len(sel))
    # placed straight into a care home: waiting on the placement
    reason = np.where(placed, np.where(rng.random(n) < 0.6, _R["D1"], _R["D2"]), reason)
    ready = request_day - (rng.random(n) * 3).astype(np.int32)
    known = rng.random(n) < 0.97
    _add(ch, np.where(known, person, -1), provider, ready, length, reason, rng.random(n) < 0.92)


def delays_not_known(ch: Chunk, count: int) -> None:
    """Delays of patients the council does not know (NHS reasons); no person_id."""
    rng = ch.rng
    if count <= 0:
        return
    provider = draw(rng, *_ANY, count)
    ready = ch.history_day + (rng.random(count) * (ch.last_day - ch.history_day + 1)).astype(np.int32)
    length = draw_bands(rng, _LENGTH[0], count)
    reason = draw(rng, *_NHS_ONLY, count)
    person = np.full(count, -1, np.int64)
    ch.delays.add(person=person, nhs=np.where(rng.random(count) < 0.85, ch.outsider_nhs(count), -1),
                  nhs_spaced=rng.random(count) < 0.3, provider=provider, bed_type=HOSPITAL_BED[provider],
                  ready=ready, discharge=np.where(ready + length > ch.last_day, -1, ready + length),
                  reason=reason, org=_orgs(rng, reason))
