"""Service lines (packages) and what they cost.

A template names a kind of service line. Cost ranges are GBP per unit for unit-priced
frequencies (HOURLY, DAILY, PER_SESSION) and one-off payments, and a weekly equivalent
for the period-priced ones (the unit cost is then derived: a four-weekly line costs four
weeks, and so on), so every frequency of the contract turns up at sensible sizes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from threec.contract import load_contract, units_per_week

from .council import PROVIDERS_PER_KIND

_C = load_contract()
SERVICE_TYPES = tuple(_C.codes("service_type"))
COMPONENTS = tuple(_C.codes("service_component"))
MECHANISMS = tuple(_C.codes("delivery_mechanism"))
FREQUENCIES = tuple(_C.codes("cost_frequency"))
ST = {c: i for i, c in enumerate(SERVICE_TYPES)}
COMP = {c: i for i, c in enumerate(COMPONENTS)}
MECH = {c: i for i, c in enumerate(MECHANISMS)}
FREQ = {c: i for i, c in enumerate(FREQUENCIES)}
LONG_TERM = np.array([c in _C.long_term_service_types() for c in SERVICE_TYPES])

_spec = {c.code: c.extra.get("units_per_week") for c in _C.code_lists["cost_frequency"]}
# weekly multiplier per frequency; NaN = planned units; ONE_OFF -> 0 for weekly purposes
PERIOD_UNITS = np.array([np.nan if _spec[f] == "planned" else (units_per_week(_spec[f]) or 0.0)
                         for f in FREQUENCIES])
PLANNED = np.array([_spec[f] == "planned" for f in FREQUENCIES])
ONE_OFF = FREQ["ONE_OFF"]


@dataclass(frozen=True)
class Template:
    name: str
    service_type: str
    component: str
    mechanism: str
    frequencies: tuple[tuple[str, float], ...]
    cost: tuple[float, float]
    planned: tuple[float, float] = (0.0, 0.0)
    planned_step: float = 0.5
    contribution: float = 0.0  # chance of an assessed client contribution
    weekly_priced: bool = False  # cost range is a weekly equivalent, not a unit price


TEMPLATES: tuple[Template, ...] = (
    Template("home_care", "LTS_COMMUNITY", "HOME_CARE", "COMMISSIONED", (("HOURLY", 1.0),),
             (19.5, 26.0), (3.5, 35.0), 0.5, 0.55),
    Template("home_care_mpb", "LTS_COMMUNITY", "HOME_CARE", "MANAGED_PERSONAL_BUDGET", (("HOURLY", 1.0),),
             (20.0, 25.5), (5.0, 28.0), 0.5, 0.55),
    Template("direct_payment", "LTS_COMMUNITY", "DIRECT_PAYMENT", "DIRECT_PAYMENT",
             (("WEEKLY", 0.55), ("FOUR_WEEKLY", 0.30), ("FORTNIGHTLY", 0.15)), (150.0, 560.0),
             contribution=0.5, weekly_priced=True),
    Template("day_support", "LTS_COMMUNITY", "DAY_SUPPORT", "COMMISSIONED", (("PER_SESSION", 1.0),),
             (40.0, 75.0), (1.0, 5.0), 1.0, 0.3),
    Template("supported_living", "LTS_COMMUNITY", "SUPPORTED_LIVING", "COMMISSIONED", (("WEEKLY", 1.0),),
             (850.0, 1900.0), contribution=0.4, weekly_priced=True),
    Template("shared_lives", "LTS_COMMUNITY", "SHARED_LIVES", "COMMISSIONED", (("WEEKLY", 1.0),),
             (330.0, 560.0), contribution=0.4, weekly_priced=True),
    Template("extra_care", "LTS_COMMUNITY", "EXTRA_CARE", "COMMISSIONED", (("WEEKLY", 0.6), ("MONTHLY", 0.4)),
             (200.0, 420.0), contribution=0.6, weekly_priced=True),
    Template("residential", "LTS_RESIDENTIAL", "RESIDENTIAL_CARE", "COMMISSIONED",
             (("WEEKLY", 0.8), ("DAILY", 0.2)), (720.0, 1150.0), (7.0, 7.0), 1.0, 0.85, weekly_priced=True),
    Template("nursing", "LTS_NURSING", "NURSING_CARE", "COMMISSIONED", (("WEEKLY", 0.85), ("FOUR_WEEKLY", 0.15)),
             (900.0, 1450.0), contribution=0.85, weekly_priced=True),
    Template("prison", "LTS_PRISON", "OTHER", "COMMISSIONED", (("WEEKLY", 1.0),), (90.0, 260.0), weekly_priced=True),
    Template("transport", "LTS_COMMUNITY", "TRANSPORT", "COMMISSIONED", (("PER_SESSION", 1.0),),
             (12.0, 26.0), (2.0, 5.0), 1.0, 0.2),
    Template("reablement", "ST_MAX", "REABLEMENT", "COMMISSIONED", (("HOURLY", 1.0),),
             (21.0, 27.0), (5.0, 15.0), 0.5),
    Template("equipment", "ST_OTHER", "EQUIPMENT", "COMMISSIONED", (("ONE_OFF", 1.0),), (35.0, 950.0)),
    Template("emergency", "ST_OTHER", "EMERGENCY_SUPPORT", "COMMISSIONED", (("DAILY", 1.0),),
             (85.0, 150.0), (7.0, 7.0), 1.0),
    Template("connected", "ST_LOW_LEVEL", "OTHER", "COMMISSIONED", (("NO_CHARGE", 1.0),), (0.0, 0.0)),
    Template("telecare", "ST_LOW_LEVEL", "OTHER", "COMMISSIONED", (("MONTHLY", 0.75), ("QUARTERLY", 0.25)),
             (4.2, 6.5), contribution=0.3, weekly_priced=True),
    Template("meals", "ST_LOW_LEVEL", "MEALS", "COMMISSIONED", (("PER_SESSION", 1.0),), (4.9, 6.5), (3.0, 7.0), 1.0,
             0.5),
    Template("carer_payment", "CARER_DIRECT", "DIRECT_PAYMENT", "DIRECT_PAYMENT",
             (("ANNUALLY", 0.6), ("ONE_OFF", 0.4)), (200.0, 600.0)),
    Template("respite", "CARER_VIA_CARED_FOR", "RESPITE", "COMMISSIONED", (("DAILY", 1.0),),
             (110.0, 170.0), (2.0, 7.0), 1.0),
)
T = {t.name: i for i, t in enumerate(TEMPLATES)}


def weekly_cost(freq: np.ndarray, unit_cost: np.ndarray, planned: np.ndarray) -> np.ndarray:
    per_week = np.where(PLANNED[freq], planned, PERIOD_UNITS[freq])
    return np.where(freq == ONE_OFF, 0.0, unit_cost * np.nan_to_num(per_week))


def make_lines(rng: np.random.Generator, template: np.ndarray) -> dict[str, np.ndarray]:
    """Attributes of one service line per template index (vectorised)."""
    n = len(template)
    out = {
        "service_type": np.zeros(n, np.int8), "component": np.zeros(n, np.int8),
        "mechanism": np.zeros(n, np.int8), "freq": np.zeros(n, np.int8),
        "unit_cost": np.zeros(n), "planned": np.full(n, np.nan), "contribution": np.full(n, np.nan),
        "provider": np.full(n, -1, np.int32),
    }
    u = rng.random((n, 6))
    for k, tpl in enumerate(TEMPLATES):
        sel = np.flatnonzero(template == k)
        if not len(sel):
            continue
        uu = u[sel]
        out["service_type"][sel] = ST[tpl.service_type]
        out["component"][sel] = COMP[tpl.component]
        out["mechanism"][sel] = MECH[tpl.mechanism]
        fcodes = np.array([FREQ[f] for f, _ in tpl.frequencies], np.int8)
        fcum = np.cumsum([w for _, w in tpl.frequencies])
        freq = fcodes[np.minimum(np.searchsorted(fcum / fcum[-1], uu[:, 0], side="right"), len(fcodes) - 1)]
        out["freq"][sel] = freq
        lo, hi = tpl.cost
        base = lo + (hi - lo) * uu[:, 1]
        planned = np.full(len(sel), np.nan)
        if tpl.planned[1] > 0:
            plo, phi = tpl.planned
            steps = np.floor((phi - plo) / tpl.planned_step + 1)
            planned = plo + np.floor(uu[:, 2] * steps) * tpl.planned_step
        unit = base.copy()
        is_planned = PLANNED[freq]
        # a weekly-priced template may also bill daily: daily rate = weekly / 7
        daily_from_weekly = is_planned & np.isnan(planned)
        planned = np.where(daily_from_weekly, 7.0, planned)
        unit = np.where(daily_from_weekly, base / 7.0, unit)
        if tpl.weekly_priced:
            period = PERIOD_UNITS[freq]
            unit = np.where(~is_planned & (period > 0), base / np.where(period > 0, period, 1.0), unit)
            unit = np.where(is_planned, base / np.where(planned > 0, planned, 7.0), unit)
        out["unit_cost"][sel] = np.round(unit, 2)
        out["planned"][sel] = np.where(is_planned, planned, np.nan)
        if tpl.mechanism != "DIRECT_PAYMENT":
            out["provider"][sel] = k * PROVIDERS_PER_KIND + (uu[:, 3] * PROVIDERS_PER_KIND).astype(np.int32) + 1
        if tpl.contribution > 0:
            weekly = weekly_cost(freq, out["unit_cost"][sel], out["planned"][sel])
            has = uu[:, 4] < tpl.contribution
            share = np.where(uu[:, 5] < 0.06, 1.05 + uu[:, 5] * 8,  # assessed above the cost
                             0.05 + 0.6 * uu[:, 5])
            contrib = np.round(weekly * share, 2)
            contrib = np.where(uu[:, 5] > 0.97, 0.0, contrib)
            out["contribution"][sel] = np.where(has, contrib, np.nan)
    return out


def scale_line(lines: dict[str, np.ndarray], factor: np.ndarray) -> dict[str, np.ndarray]:
    """A copy of lines with weekly cost scaled: planned units for unit-priced lines
    (hours go down, not the provider's rate), else the unit cost."""
    out = {k: v.copy() for k, v in lines.items()}
    is_planned = PLANNED[out["freq"]]
    step = np.where(out["planned"] >= 1, 0.5, 0.25)
    scaled_planned = np.maximum(step, np.round(out["planned"] * factor / step) * step)
    out["planned"] = np.where(is_planned, scaled_planned, out["planned"])
    out["unit_cost"] = np.where(is_planned, out["unit_cost"], np.round(out["unit_cost"] * factor, 2))
    has = ~np.isnan(out["contribution"])
    out["contribution"] = np.where(has, np.round(out["contribution"] * np.minimum(factor, 1.0), 2), np.nan)
    return out
