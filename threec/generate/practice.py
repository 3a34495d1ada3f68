"""How practice behaves: the probabilities behind every journey.

Each table is indexed [live, ...] where live = 1 when the team holding the
conversation had gone live on Three Conversations by its start date, 0 on the old
care-management model. Conversation types are indexed in contract rank order
(C1A, C1, C2, C3); codes are resolved by name from the contract, never by position.

Calibrated against the published evaluations (Birmingham at eighteen months: 70.5%
of first conversations closed with a positive outcome, 13% went on to a Conversation
2, 27% to a Conversation 3; 8.8% of new requests led to long-term support). With the
default seed a live team's first conversations (C1 and C1A together) come out at
about 64% positive, 10% to a C2 and 25% reaching a C3, and 9% of new requests lead
to long-term support within 90 days; the old model sends about half its first
conversations straight to a C3 and about 19% of new requests into long-term support,
and keeps waiting lists.
"""

from __future__ import annotations

import numpy as np

from threec.contract import load_contract

_C = load_contract()
CONV_TYPES = tuple(_C.codes("conversation_type"))
C1A, C1, C2, C3 = (CONV_TYPES.index(t) for t in ("C1A", "C1", "C2", "C3"))
OUTCOMES = tuple(_C.codes("outcome"))
O = {code: i for i, code in enumerate(OUTCOMES)}
REASONS = tuple(_C.codes("escalation_reason"))
R = {code: i for i, code in enumerate(REASONS)}

NO_NEXT = -1

# Probability of the next conversation's type (columns: none, C1A, C1, C2, C3), by the
# current conversation's type; [old model, live].
NEXT = np.array([
    [  # old model: straight to assessment is the norm
        [0.55, 0.00, 0.25, 0.02, 0.18],  # C1A
        [0.40, 0.00, 0.01, 0.06, 0.53],  # C1
        [0.30, 0.00, 0.00, 0.03, 0.67],  # C2
        [0.97, 0.00, 0.00, 0.00, 0.03],  # C3
    ],
    [  # live on 3Cs
        [0.76, 0.00, 0.12, 0.04, 0.08],
        [0.65, 0.00, 0.01, 0.14, 0.20],
        [0.41, 0.00, 0.00, 0.04, 0.55],
        [0.97, 0.00, 0.00, 0.00, 0.03],
    ],
])

# First conversation of a request, by kind of receiving team: rows front door, other,
# hospital-like (hospital, enhanced assessment beds), review; columns C1A, C1, C2, C3.
FIRST = np.array([
    [
        [0.60, 0.35, 0.00, 0.05],
        [0.05, 0.55, 0.05, 0.35],
        [0.00, 0.50, 0.05, 0.45],
        [0.00, 0.60, 0.00, 0.40],
    ],
    [
        [0.55, 0.40, 0.05, 0.00],
        [0.03, 0.85, 0.12, 0.00],
        [0.00, 0.70, 0.30, 0.00],
        [0.00, 0.90, 0.00, 0.10],
    ],
])

# Chance a conversation with no next one closes with a positive outcome, by type.
POSITIVE = np.array([
    [0.90, 0.85, 0.70, 0.90],
    [0.96, 0.93, 0.80, 0.93],
])

# Positive outcome codes by conversation type, with weights.
POSITIVE_CODES = {
    C1A: (("INFO_ADVICE", 0.60), ("COMMUNITY_CONNECTED", 0.28), ("EQUIPMENT", 0.12)),
    C1: (("INFO_ADVICE", 0.25), ("COMMUNITY_CONNECTED", 0.30), ("EQUIPMENT", 0.17),
         ("REABLEMENT", 0.13), ("NO_PLAN_NEEDED", 0.15)),
    C2: (("CRISIS_RESOLVED", 0.70), ("REABLEMENT", 0.20), ("NO_PLAN_NEEDED", 0.10)),
    C3: (("SUPPORT_PLAN_AGREED", 0.93), ("NO_PLAN_NEEDED", 0.04), ("REABLEMENT", 0.03)),
}
OTHER_CODES = (("DECLINED", 0.30), ("DECEASED", 0.12), ("MOVED_AWAY", 0.08),
               ("NHS_REFERRAL", 0.20), ("SELF_FUNDING", 0.15), ("OTHER", 0.15))

# An escalating conversation records ESCALATED this often; otherwise a positive code
# (a practice-rule finding: a next conversation after a non-ESCALATED outcome).
ESCALATED_RECORDED = 0.86
# An escalation whose next conversation starts more than 28 days later (ESCALATED with
# no next conversation, by the metrics' definition).
LATE_NEXT = 0.015
# C2 -> C3 where the C3 starts while the C2 is still open ("never plan long-term in a crisis").
C3_DURING_C2 = (0.15, 0.06)
# Conversations left open and forgotten (the old waiting-list work).
STALE_OPEN = 0.008

# Durations in days: mixtures of (weight, low, high) uniform bands by [live][type].
DURATIONS = (
    (
        ((0.60, 0, 0), (0.25, 1, 2), (0.15, 3, 10)),
        ((0.35, 0, 2), (0.50, 3, 30), (0.15, 31, 90)),
        ((0.30, 0, 7), (0.35, 8, 30), (0.35, 31, 90)),
        ((0.20, 0, 7), (0.40, 8, 30), (0.40, 31, 150)),
    ),
    (
        ((0.60, 0, 0), (0.25, 1, 2), (0.15, 3, 7)),
        ((0.20, 0, 2), (0.48, 3, 30), (0.32, 31, 110)),
        ((0.38, 0, 7), (0.26, 8, 30), (0.36, 31, 90)),
        ((0.73, 0, 7), (0.17, 8, 30), (0.10, 31, 120)),
    ),
)

# Days from request to first conversation, (weight, low, high) bands, [old, live].
WAITS = (
    ((0.10, 0, 0), (0.25, 1, 7), (0.35, 8, 30), (0.20, 31, 90), (0.10, 91, 240)),
    ((0.50, 0, 0), (0.38, 1, 3), (0.12, 4, 14)),
)
# Gap between an escalating conversation's end and the next one's start.
ESCALATION_GAP = ((0.55, 0, 0), (0.35, 1, 7), (0.10, 8, 27))

# Escalation reasons, by kind of escalation, with weights.
REASONS_TO_C3 = (("LONG_TERM_NEED_EVIDENT", 0.45), ("C1_OPTIONS_EXHAUSTED", 0.25),
                 ("C2_NOT_APPROPRIATE", 0.15), ("PERSON_CHOICE", 0.05), ("SAFEGUARDING", 0.05),
                 ("OTHER", 0.05))
REASONS_TO_C2 = (("SAFEGUARDING", 0.30), ("C1_OPTIONS_EXHAUSTED", 0.35),
                 ("LONG_TERM_NEED_EVIDENT", 0.05), ("PERSON_CHOICE", 0.10), ("OTHER", 0.20))
REASONS_FROM_C2 = (("LONG_TERM_NEED_EVIDENT", 0.70), ("PERSON_CHOICE", 0.10), ("SAFEGUARDING", 0.10),
                   ("OTHER", 0.10))
# Chance an escalation that is not a direct C1 -> C3 carries a reason, [old, live].
REASON_RECORDED = (0.35, 0.70)

# How an explained direct escalation is explained (the rest of the time it is not).
EXPLAINED_BY = (("c1_reason", 0.68), ("c3_reason", 0.10), ("c1_note", 0.14), ("c3_note", 0.08))

# Long-term support: chance a support plan agreed for someone without long-term
# support leads to an LTS package, [old, live]; direct-payment share of community LTS.
LTS_AFTER_PLAN = (0.62, 0.42)
DIRECT_PAYMENT_SHARE = (0.27, 0.40)
# Existing clients: chance a journey changes their package, and the cost factor's
# (median, spread) — live teams mostly reduce, old-model teams mostly add.
PACKAGE_CHANGE = (0.55, 0.65)
COST_FACTOR = ((1.15, 0.18), (0.82, 0.15))
# Existing clients: chance the next contact is a review rather than a new request.
REVIEW_SHARE = 0.55
# Hospital discharges placed straight into care with no C3 (an LTS with no C3 before it).
DISCHARGE_TO_ASSESS = 0.05


def weights(pairs, table: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(codes as indices, cumulative probabilities) from (code, weight) pairs."""
    codes = np.array([table[c] for c, _ in pairs], dtype=np.int16)
    w = np.array([p for _, p in pairs], dtype=float)
    return codes, np.cumsum(w / w.sum())


def draw(rng: np.random.Generator, codes: np.ndarray, cumulative: np.ndarray, n: int) -> np.ndarray:
    return codes[np.minimum(np.searchsorted(cumulative, rng.random(n), side="right"), len(codes) - 1)]


def draw_bands(rng: np.random.Generator, bands, n: int) -> np.ndarray:
    """Integers from a mixture of uniform (weight, low, high) bands."""
    w = np.array([b[0] for b in bands], dtype=float)
    lo = np.array([b[1] for b in bands], dtype=np.int32)
    hi = np.array([b[2] for b in bands], dtype=np.int32)
    k = np.minimum(np.searchsorted(np.cumsum(w / w.sum()), rng.random(n), side="right"), len(bands) - 1)
    return lo[k] + (rng.random(n) * (hi[k] - lo[k] + 1)).astype(np.int32)


def draw_rows(rng: np.random.Generator, table: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For each i, a column index drawn from the probability row table[rows[i]]."""
    cum = np.cumsum(table, axis=-1)[rows]
    u = rng.random(len(rows))[:, None] * cum[:, -1:]
    return np.minimum((u >= cum).sum(axis=1), table.shape[-1] - 1)
