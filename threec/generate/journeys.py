"""Journeys: a chain of conversations, stepped forward for many people at once.

Each step draws, for every journey still going, how long its current conversation
lasts, whether a further conversation follows (and which), how it ended, and how an
escalation was explained and challenged; then it moves the chain on. Conversations
still open at the last extract date stay open, with no outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import notes, practice as pr
from .practice import C1, C2, C3, O, R, draw, draw_bands, draw_rows, weights
from .services import T as TPL

if TYPE_CHECKING:
    from .simulate import Chunk

MAX_STEPS = 7

_POS = {t: weights(pairs, O) for t, pairs in pr.POSITIVE_CODES.items()}
_OTHER = weights(pr.OTHER_CODES, O)
_TO_C3 = weights(pr.REASONS_TO_C3, R)
_TO_C2 = weights(pr.REASONS_TO_C2, R)
_FROM_C2 = weights(pr.REASONS_FROM_C2, R)
_EXPLAINED = weights(pr.EXPLAINED_BY, {"c1_reason": 0, "c3_reason": 1, "c1_note": 2, "c3_note": 3})
_NEXT = pr.NEXT.reshape(-1, 5)

# what the C3 of a direct escalation carries (set by the C1/C1A that escalated)
C3_NORMAL, C3_NOTHING, C3_REASON, C3_NOTE = 0, 1, 2, 3


@dataclass
class JourneyResult:
    end: np.ndarray  # end day of the journey's last conversation; -1 while open
    plan_end: np.ndarray  # end day of a C3 that agreed a support plan, -1 if none
    plan_conv: np.ndarray  # that C3 (chunk position)
    plan_live: np.ndarray  # its team was live on 3Cs
    first_live: np.ndarray  # the first conversation's team was live
    last_conv: np.ndarray
    deceased: np.ndarray  # day the person died (DECEASED outcome), -1 if not
    positive_last: np.ndarray  # the last conversation closed with a positive outcome


def _notes_from(rng, n, p_meaningful, p_short, p_placeholder) -> np.ndarray:
    """Note indices: meaningful / short / placeholder with the given chances, else null."""
    u = rng.random(n)
    pick = rng.random(n)
    out = np.full(n, -1, np.int32)
    for (lo, hi), lo_u, hi_u in (
        (notes.MEANINGFUL_RANGE, 0.0, p_meaningful),
        (notes.SHORT_RANGE, p_meaningful, p_meaningful + p_short),
        (notes.PLACEHOLDER_RANGE, p_meaningful + p_short, p_meaningful + p_short + p_placeholder),
    ):
        sel = (u >= lo_u) & (u < hi_u)
        out[sel] = lo + (pick[sel] * (hi - lo)).astype(np.int32)
    return out


def _uniform(rng, lo, hi) -> np.ndarray:
    """Integers uniform on [lo, hi] elementwise (hi >= lo)."""
    lo = np.asarray(lo)
    return (lo + np.floor(rng.random(lo.shape) * (np.asarray(hi) - lo + 1))).astype(np.int32)


def run_journeys(ch: Chunk, person: np.ndarray, request: np.ndarray, team: np.ndarray,
                 first_type: np.ndarray, start: np.ndarray) -> JourneyResult:
    rng = ch.rng
    L = ch.last_day
    J = len(person)
    team = team.astype(np.int16).copy()
    ctype = first_type.astype(np.int8).copy()
    start = start.astype(np.int32).copy()
    res = JourneyResult(
        end=np.full(J, -1, np.int32), plan_end=np.full(J, -1, np.int32), plan_conv=np.full(J, -1, np.int64),
        plan_live=np.zeros(J, bool), first_live=ch.live(team, start), last_conv=np.full(J, -1, np.int64),
        deceased=np.full(J, -1, np.int32), positive_last=np.zeros(J, bool),
    )
    c3_mode = np.zeros(J, np.int8)
    prev_team = np.full(J, -1, np.int16)
    prev_worker = np.full(J, -1, np.int32)
    idx = np.arange(J)
    for step in range(MAX_STEPS):
        n = len(idx)
        if n == 0:
            break
        p = person[idx]
        tm = team[idx]
        ty = ctype[idx]
        s = start[idx]
        live = ch.live(tm, s).astype(np.int8)
        dur = np.empty(n, np.int32)
        for lv in (0, 1):
            for t in range(4):
                sel = np.flatnonzero((live == lv) & (ty == t))
                if len(sel):
                    dur[sel] = draw_bands(rng, pr.DURATIONS[lv][t], len(sel))
        nxt = (draw_rows(rng, _NEXT, live * 4 + ty) - 1).astype(np.int8)
        # some teams (hospital, assessment beds) move on to a C3 more often
        first_conv = ty <= C1
        base_c3 = pr.NEXT[live, ty, C3 + 1]
        extra = (ch.c3_bias[tm] - 1.0) * base_c3 / np.maximum(pr.NEXT[live, ty, 0], 1e-9)
        nxt = np.where(first_conv & (nxt < 0) & (rng.random(n) < extra), C3, nxt).astype(np.int8)
        if step == MAX_STEPS - 1:
            nxt[:] = -1
        esc = nxt >= 0
        direct = esc & first_conv & (nxt == C3)
        quick = esc & first_conv & (rng.random(n) < ch.quick[live, tm])
        dur = np.where(quick, (rng.random(n) * 3).astype(np.int32), dur)
        stale = ~esc & ((ty == C1) | (ty == C2)) & (rng.random(n) < pr.STALE_OPEN)
        dur = np.where(stale, dur + 400, dur)
        end = s + dur
        nstart = end + draw_bands(rng, pr.ESCALATION_GAP, n)
        late_next = esc & (rng.random(n) < pr.LATE_NEXT)
        nstart = np.where(late_next, end + _uniform(rng, np.full(n, 29), 75), nstart)
        overlap = (esc & ~late_next & (ty == C2) & (nxt == C3) & (dur >= 2)
                   & (rng.random(n) < np.array(pr.C3_DURING_C2)[live]))
        nstart = np.where(overlap, s + 1 + (rng.random(n) * np.maximum(dur - 1, 1)).astype(np.int32), nstart)

        # outcomes
        outcome = np.full(n, -1, np.int16)
        positive_code = np.empty(n, np.int16)
        for t in range(4):
            sel = np.flatnonzero(ty == t)
            if len(sel):
                positive_code[sel] = draw(rng, *_POS[t], len(sel))
        recorded_escalated = rng.random(n) < pr.ESCALATED_RECORDED
        outcome = np.where(esc, np.where(recorded_escalated, O["ESCALATED"], positive_code), outcome)
        closes_positive = rng.random(n) < pr.POSITIVE[live, ty]
        other_code = draw(rng, *_OTHER, n)
        outcome = np.where(~esc, np.where(closes_positive, positive_code, other_code), outcome)
        # a C3 that is followed by another C3 (transfer) records ESCALATED or OTHER
        outcome = np.where(esc & (ty == C3), np.where(rng.random(n) < 0.5, O["ESCALATED"], O["OTHER"]), outcome)

        # explanations
        reason = np.full(n, -1, np.int16)
        note = np.full(n, -1, np.int32)
        to_c2 = esc & (nxt == C2) & first_conv
        other_esc = esc & ~direct & (ty != C3)
        with_reason = other_esc & (rng.random(n) < np.array(pr.REASON_RECORDED)[live])
        reason = np.where(with_reason & to_c2, draw(rng, *_TO_C2, n), reason)
        reason = np.where(with_reason & (ty == C2) & (nxt == C3), draw(rng, *_FROM_C2, n), reason)
        note = np.where(other_esc, _notes_from(rng, n, 0.30, 0.10, 0.10), note)
        # direct C1/C1A -> C3: explained or not, by the team's habits
        unexplained = direct & (rng.random(n) < ch.unexplained[live, tm])
        style = draw(rng, *_EXPLAINED, n)
        explained = direct & ~unexplained
        reason = np.where(explained & (style == 0), draw(rng, *_TO_C3, n), reason)
        note = np.where(explained & (style == 0), _notes_from(rng, n, 0.30, 0.05, 0.10), note)
        note = np.where(explained & (style == 2), _notes_from(rng, n, 1.0, 0.0, 0.0), note)
        weak = _notes_from(rng, n, 0.0, 0.20, 0.35)
        note = np.where(unexplained | (explained & ((style == 1) | (style == 3))), weak, note)
        next_c3_mode = np.select(
            [unexplained, explained & (style == 1), explained & (style == 3)],
            [C3_NOTHING, C3_REASON, C3_NOTE], C3_NORMAL).astype(np.int8)
        # the C3 side of the pair
        is_c3 = ty == C3
        mode = c3_mode[idx]
        normal = is_c3 & (mode == C3_NORMAL)
        reason = np.where(normal & (rng.random(n) < 0.12), draw(rng, *_TO_C3, n), reason)
        note = np.where(normal, _notes_from(rng, n, 0.15, 0.03, 0.10), note)
        reason = np.where(is_c3 & (mode == C3_REASON), draw(rng, *_TO_C3, n), reason)
        note = np.where(is_c3 & (mode == C3_NOTE), _notes_from(rng, n, 1.0, 0.0, 0.0), note)
        note = np.where(is_c3 & (mode == C3_NOTHING), _notes_from(rng, n, 0.0, 0.15, 0.25), note)
        # an occasional remark on a conversation that closed
        quiet = ~esc & ~is_c3
        note = np.where(quiet & (rng.random(n) < 0.02), _notes_from(rng, n, 1.0, 0.0, 0.0), note)
        # peer challenge (huddle) on the conversation that escalated
        challenged = esc & ~is_c3 & (rng.random(n) >= ch.unchallenged[live, tm])
        peer = np.where(challenged, s + (rng.random(n) * (dur + 1)).astype(np.int32), -1).astype(np.int32)

        # the last extract date cuts everything off
        ended = end <= L
        end_out = np.where(ended, end, -1).astype(np.int32)
        outcome = np.where(ended, outcome, -1).astype(np.int16)
        late_fields = ~ended & ~is_c3  # written at the end, so not there yet
        reason = np.where(late_fields, -1, reason)
        note = np.where(late_fields, -1, note)
        peer = np.where(late_fields | (peer > L), -1, peer)
        next_ok = esc & (nstart <= L)

        same_worker = (tm == prev_team[idx]) & (rng.random(n) < 0.8)
        worker = np.where(same_worker, prev_worker[idx],
                          (rng.random(n) * ch.workers[tm]).astype(np.int32) + 1).astype(np.int32)
        conv = ch.conversations.add(
            person=p, request=request[idx], team=tm, worker=worker, ctype=ty, start=s, end=end_out,
            outcome=outcome, reason=reason, note=note, peer=peer,
        )
        _short_term_packages(ch, p, conv, ty, s, end_out, outcome)

        plan = is_c3 & (outcome == O["SUPPORT_PLAN_AGREED"])
        res.plan_end[idx[plan]] = end_out[plan]
        res.plan_conv[idx[plan]] = conv[plan]
        res.plan_live[idx[plan]] = live[plan].astype(bool)
        dead = outcome == O["DECEASED"]
        res.deceased[idx[dead]] = end_out[dead]

        finished = ~next_ok
        # an escalation whose next conversation has not started by the last extract
        # leaves the person mid-journey: treat as open
        res.end[idx[finished]] = np.where(esc[finished], -1, end_out[finished])
        res.last_conv[idx[finished]] = conv[finished]
        res.positive_last[idx[finished]] = np.isin(outcome[finished], ch.positive_codes)

        go = np.flatnonzero(next_ok)
        nidx = idx[go]
        team[nidx] = ch.escalation_team(tm[go], p[go])
        ctype[nidx] = nxt[go]
        start[nidx] = nstart[go]
        c3_mode[nidx] = next_c3_mode[go]
        prev_team[nidx] = tm[go]
        prev_worker[nidx] = worker[go]
        idx = nidx
    return res


def _short_term_packages(ch: Chunk, person, conv, ctype, start, end, outcome) -> None:
    """Short-term service lines that follow from how a conversation ended."""
    rng = ch.rng
    L = ch.last_day
    ended = end >= 0
    n = len(person)
    u = rng.random((n, 4))

    def add(sel, template, line_start, line_end, created, end_rec=None):
        sel = np.flatnonzero(sel & (np.asarray(created) <= L))
        if not len(sel):
            return
        ch.add_lines(np.full(len(sel), template, np.int16), person[sel], conv[sel],
                     np.asarray(line_start)[sel], np.asarray(line_end)[sel], np.asarray(created)[sel],
                     end_rec=None if end_rec is None else np.asarray(end_rec)[sel])

    gap = (u[:, 0] * 11).astype(np.int32)
    equip = ended & (outcome == O["EQUIPMENT"])
    e_start = end + gap
    e_end = np.select([u[:, 1] < 0.5, u[:, 1] < 0.8], [-1, e_start], e_start + 1 + (u[:, 2] * 60).astype(np.int32))
    add(equip, TPL["equipment"], e_start, e_end, end)
    add(equip & (u[:, 3] < 0.3), TPL["telecare"], e_start, np.full(n, -1), end)
    reable = ended & (outcome == O["REABLEMENT"])
    r_start = end + (u[:, 0] * 4).astype(np.int32)
    add(reable, TPL["reablement"], r_start, r_start + 27 + (u[:, 1] * 15).astype(np.int32), end)
    crisis = ended & (outcome == O["CRISIS_RESOLVED"]) & (u[:, 2] < 0.35)
    add(crisis, TPL["emergency"], start, end, start, end_rec=end)
    connected = ended & (outcome == O["COMMUNITY_CONNECTED"]) & (u[:, 3] < 0.15)
    add(connected, TPL["connected"], end, end + 84, end)
    meals = ended & (outcome == O["INFO_ADVICE"]) & (ctype == C1) & (u[:, 3] < 0.05)
    add(meals, TPL["meals"], end + 2, np.full(n, -1), end)
