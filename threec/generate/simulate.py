"""One chunk of people, simulated from the history start to the last extract date.

People come to adult social care one contact at a time: a request (or, for someone
already receiving long-term support, a planned review), then a journey of
conversations, then perhaps services, then a gap until the next contact. Everything is
vectorised over the chunk's people; the loop runs over contact number and, inside a
journey, over conversation number, each a handful of steps.

`Chunk.finish` turns the simulation into entity tables (typed columns, ids assigned)
with, for each record, the day it was created in the case system and the day it was
last changed (-1 if never), which the extract layer uses to cut deltas.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from threec.contract import load_contract

from . import council, practice as pr
from .delays import delays_for_discharges, delays_not_known
from .identifiers import nhs_numbers
from .journeys import run_journeys
from .population import CARER, LD, make_people
from .practice import draw, draw_bands, weights
from .services import T as TPL, make_lines, scale_line
from .tables import Accumulator, Table

_C = load_contract()
ROUTES = tuple(_C.codes("route_of_access"))
_RT = {c: i for i, c in enumerate(ROUTES)}
TEAM_TYPES = tuple(_C.codes("team_type"))
NEVER = np.iinfo(np.int32).max
MAX_CONTACTS = 10

_ROUTE_W = weights((("COMMUNITY", 0.60), ("DISCHARGE_FROM_HOSPITAL", 0.19), ("DIVERSION_FROM_HOSPITAL", 0.06),
                    ("SELF_FUNDER", 0.05), ("TRANSFER_FROM_OTHER_LA", 0.03), ("PLANNED_ENTRY", 0.03),
                    ("PRISON", 0.004)), _RT)
_COMMUNITY_LTS = weights((("home_care", 0.58), ("home_care_mpb", 0.07), ("day_support", 0.08),
                          ("extra_care", 0.12), ("shared_lives", 0.05), ("transport", 0.10)), TPL)
_LD_LTS = weights((("supported_living", 0.50), ("day_support", 0.25), ("shared_lives", 0.25)), TPL)
_EXTRA_LINE = weights((("day_support", 0.35), ("transport", 0.2), ("meals", 0.25), ("telecare", 0.2)), TPL)

_LINE_COLUMNS = {
    "person": np.int32, "conv": np.int64, "template": np.int16, "service_type": np.int8, "component": np.int8,
    "mechanism": np.int8, "freq": np.int8, "unit_cost": np.float64, "planned": np.float64,
    "contribution": np.float64, "provider": np.int32, "start": np.int32, "end": np.int32,
    "created": np.int32, "end_rec": np.int32,
}
_LINE_ATTRS = ("template", "service_type", "component", "mechanism", "freq", "unit_cost", "planned",
               "contribution", "provider")


@dataclass(frozen=True)
class Calendar:
    history_day: int
    first_day: int
    last_day: int


def _team_arrays():
    teams = council.TEAMS
    golive = np.array([NEVER if t.go_live is None else (t.go_live.toordinal() - 719163) for t in teams],
                      np.int64)
    kind = np.array([0 if t.team_type == "FRONT_DOOR" else 2 if t.team_type in ("HOSPITAL", "ENHANCED_ASSESSMENT_BEDS")
                     else 3 if t.team_type == "REVIEW" else 1 for t in teams], np.int8)
    unexplained = np.array([[council.OLD_MODEL_UNEXPLAINED] * len(teams), [t.unexplained for t in teams]])
    unchallenged = np.array([[council.OLD_MODEL_UNCHALLENGED] * len(teams), [t.unchallenged for t in teams]])
    quick = np.array([[council.OLD_MODEL_QUICK] * len(teams), [t.quick_escalation for t in teams]])
    return golive, kind, unexplained, unchallenged, quick, np.array([t.c3_bias for t in teams])


class Chunk:
    def __init__(self, rng: np.random.Generator, cal: Calendar, first_index: int, n: int, total_people: int):
        self.rng = rng
        self.history_day, self.first_day, self.last_day = cal.history_day, cal.first_day, cal.last_day
        self.first_index = first_index
        self.total_people = total_people
        self.golive, self.team_kind, self.unexplained, self.unchallenged, self.quick, self.c3_bias = _team_arrays()
        scale = max(1.0, (total_people / 4000) ** 0.5)
        self.workers = np.array([max(3, round(t.workers * scale)) for t in council.TEAMS], np.int32)
        self.positive_codes = np.array([pr.O[c] for c in _C.positive_outcomes()])
        self.people = make_people(rng, first_index, n, cal.last_day)
        self.n = n
        self.requests = Accumulator({"person": np.int32, "team": np.int16, "day": np.int32, "route": np.int8})
        self.conversations = Accumulator({
            "person": np.int32, "request": np.int64, "team": np.int16, "worker": np.int32, "ctype": np.int8,
            "start": np.int32, "end": np.int32, "outcome": np.int16, "reason": np.int16, "note": np.int32,
            "peer": np.int32})
        self.packages = Accumulator(_LINE_COLUMNS)
        self.delays = Accumulator({
            "person": np.int64, "nhs": np.int64, "nhs_spaced": bool, "provider": np.int8, "bed_type": np.int8,
            "ready": np.int32, "discharge": np.int32, "reason": np.int16, "org": np.int8})
        self.end_updates: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.lts_line = np.full(n, -1, np.int64)  # chunk position of the person's main long-term line
        self.lts_start = np.zeros(n, np.int32)
        self.lts = {k: np.zeros(n, _LINE_COLUMNS[k]) for k in _LINE_ATTRS}
        self.death = np.full(n, -1, np.int32)
        self.created = np.zeros(n, np.int32)
        self._outsiders = 0

    # -- helpers used by journeys and delays ---------------------------------------
    def live(self, team: np.ndarray, day: np.ndarray) -> np.ndarray:
        return np.asarray(day, np.int64) >= self.golive[team]

    def escalation_team(self, team: np.ndarray, person: np.ndarray) -> np.ndarray:
        """Front door hands on to the person's community or specialist team; others keep them."""
        return np.where(self.team_kind[team] == 0, self.people["home_team"][person], team).astype(np.int16)

    def outsider_nhs(self, count: int) -> np.ndarray:
        base = self.total_people + self.first_index + self._outsiders
        self._outsiders += count
        return nhs_numbers(np.arange(base, base + count))

    def add_lines(self, template, person, conv, start, end, created, end_rec=None, lines=None) -> np.ndarray:
        if lines is None:
            lines = make_lines(self.rng, template)
        lines = {k: v for k, v in lines.items() if k != "template"}
        return self.packages.add(template=template, person=person, conv=conv, start=start, end=end,
                                 created=created, end_rec=end_rec, **lines)

    def _set_main_line(self, person, positions, template, lines, start) -> None:
        self.lts_line[person] = positions
        self.lts_start[person] = start
        self.lts["template"][person] = template
        for k in _LINE_ATTRS[1:]:
            self.lts[k][person] = lines[k]

    def _end_lines(self, person, end, end_rec) -> None:
        has = self.lts_line[person] >= 0
        person, end, end_rec = person[has], end[has], end_rec[has]
        end = np.maximum(end, self.lts_start[person])  # never before the line started
        self.end_updates.append((self.lts_line[person].copy(), end.astype(np.int32), end_rec.astype(np.int32)))
        self.lts_line[person] = -1

    def _uniform(self, n, lo, hi) -> np.ndarray:
        return (lo + np.floor(self.rng.random(n) * (np.asarray(hi) - lo + 1))).astype(np.int32)

    def _lts_templates(self, person, live) -> np.ndarray:
        """Long-term support setting for new support: care home for some older people,
        community support otherwise (a direct payment for a share of it)."""
        rng = self.rng
        n = len(person)
        ppl = self.people
        older, age = ppl["older"][person], ppl["age"][person]
        u = rng.random(n)
        care_home = older & (u < np.where(live, 0.14, 0.24) + 0.004 * np.maximum(age - 80, 0))
        nursing = care_home & (rng.random(n) < 0.35)
        community = draw(rng, *_COMMUNITY_LTS, n)
        ld = draw(rng, *_LD_LTS, n)
        community = np.where(ppl["psr"][person] == LD, ld, community)
        dp = rng.random(n) < np.array(pr.DIRECT_PAYMENT_SHARE)[live.astype(int)]
        community = np.where(dp, TPL["direct_payment"], community)
        return np.select([nursing, care_home], [TPL["nursing"], TPL["residential"]], community).astype(np.int16)

    # -- the simulation ------------------------------------------------------------
    def run(self) -> None:
        rng = self.rng
        H, L = self.history_day, self.last_day
        n = self.n
        ppl = self.people
        existing = np.flatnonzero(ppl["existing"])
        lts_start = (H - 30 - rng.random(len(existing)) * 2600).astype(np.int32)
        tpl = self._lts_templates(existing, np.zeros(len(existing), bool))
        lines = make_lines(rng, tpl)
        pos = self.add_lines(tpl, existing, -1, lts_start, -1, lts_start - self._uniform(len(existing), 0, 10),
                             lines=lines)
        self._set_main_line(existing, pos, tpl, lines, lts_start)
        first_contact = np.where(ppl["existing"], H + self._uniform(n, 0, 400),
                                 H + self._uniform(n, 0, L - H)).astype(np.int32)
        self.created[:] = first_contact
        self.created[existing] = lts_start - self._uniform(len(existing), 20, 400)
        t = first_contact.copy()
        active = np.ones(n, bool)
        delays_not_known(self, rng.binomial(n, 0.025))
        for contact in range(MAX_CONTACTS):
            act = np.flatnonzero(active & (t <= L))
            if not len(act):
                break
            self._contact(act, t, active, first=contact == 0)

    def _contact(self, act: np.ndarray, t: np.ndarray, active: np.ndarray, first: bool) -> None:
        rng = self.rng
        L = self.last_day
        ppl = self.people
        m = len(act)
        has_lts = self.lts_line[act] >= 0
        review = has_lts & (rng.random(m) < pr.REVIEW_SHARE)

        # requests
        rq = act[~review]
        k = len(rq)
        route = draw(rng, *_ROUTE_W, k).astype(np.int8)
        young_ld = (ppl["psr"][rq] == LD) & (ppl["age"][rq] < 26) & first
        route = np.where(young_ld & (rng.random(k) < 0.6), _RT["PLANNED_ENTRY"], route).astype(np.int8)
        home = ppl["home_team"][rq]
        specialist = (home == council.LEARNING_DISABILITY) | (home == council.MENTAL_HEALTH)
        u = rng.random(k)
        team = np.where(u < np.where(specialist, 0.35, 0.65), council.FRONT_DOOR, home)
        hosp = np.select([u < 0.55, u < 0.85], [council.HOSPITAL_GENERAL, council.HOSPITAL_RIVERSIDE], council.EAB)
        team = np.where(route == _RT["DISCHARGE_FROM_HOSPITAL"], hosp, team)
        diversion = np.select([u < 0.4, u < 0.7], [council.EAB, council.FRONT_DOOR], home)
        team = np.where(route == _RT["DIVERSION_FROM_HOSPITAL"], diversion, team)
        team = np.where(route == _RT["PLANNED_ENTRY"], np.where(u < 0.8, council.LEARNING_DISABILITY, home), team)
        locality_team = np.array(council.COMMUNITY_BY_LOCALITY)[ppl["locality"][rq]]
        team = np.where(route == _RT["PRISON"], locality_team, team).astype(np.int16)
        day = t[rq]
        req_pos = self.requests.add(person=rq, team=team, day=day, route=route)
        live = self.live(team, day).astype(int)
        wait = np.empty(k, np.int32)
        for lv in (0, 1):
            sel = np.flatnonzero(live == lv)
            wait[sel] = draw_bands(rng, pr.WAITS[lv], len(sel))

        # planned reviews of people with long-term support
        rv = act[review]
        r = len(rv)
        rv_team = np.where(rng.random(r) < 0.6, council.REVIEW, ppl["home_team"][rv]).astype(np.int16)

        person = np.concatenate([rq, rv])
        request = np.concatenate([req_pos, np.full(r, -1, np.int64)])
        jteam = np.concatenate([team, rv_team])
        start = np.concatenate([day + wait, t[rv]]).astype(np.int32)
        kind = np.concatenate([self.team_kind[team], np.full(r, 3, np.int8)])
        jlive = self.live(jteam, start).astype(int)
        cum = np.cumsum(pr.FIRST, axis=-1)[jlive, kind]
        first_type = np.minimum((rng.random(len(person))[:, None] >= cum).sum(axis=1), 3).astype(np.int8)
        is_request = np.concatenate([np.ones(k, bool), np.zeros(r, bool)])
        jroute = np.concatenate([route, np.full(r, -1, np.int8)])
        jday = np.concatenate([day, t[rv]])

        waiting = start > L  # still waiting for a first conversation at the last extract
        active[person[waiting]] = False
        go = ~waiting
        person, request, jteam, start, first_type = person[go], request[go], jteam[go], start[go], first_type[go]
        is_request, jroute, jday = is_request[go], jroute[go], jday[go]
        res = run_journeys(self, person, request, jteam, first_type, start)
        j = len(person)
        had_lts = self.lts_line[person] >= 0
        last_start = res.end.copy()

        # new long-term support after a support plan
        new = ~had_lts & (res.plan_end >= 0) & (rng.random(j) < np.array(pr.LTS_AFTER_PLAN)[res.plan_live.astype(int)])
        new_start = res.plan_end + self._uniform(j, 0, 14)
        new_created = np.maximum(res.plan_end, new_start - 3)
        new &= new_created <= L
        sel = np.flatnonzero(new)
        if len(sel):
            p = person[sel]
            tpl = self._lts_templates(p, res.plan_live[sel])
            tpl = np.where(jroute[sel] == _RT["PRISON"], TPL["prison"], tpl).astype(np.int16)
            lines = make_lines(rng, tpl)
            pos = self.add_lines(tpl, p, res.plan_conv[sel], new_start[sel], -1, new_created[sel], lines=lines)
            self._set_main_line(p, pos, tpl, lines, new_start[sel])
            extra = rng.random(len(sel)) < 0.25
            if extra.any():
                etpl = draw(rng, *_EXTRA_LINE, int(extra.sum())).astype(np.int16)
                self.add_lines(etpl, p[extra], res.plan_conv[sel][extra], new_start[sel][extra], -1,
                               new_created[sel][extra])
            last_start[sel] = np.maximum(last_start[sel], new_start[sel])

        # support for unpaid carers
        carer = (res.plan_end >= 0) & (ppl["carer"][person] == CARER.index("Y"))
        u = rng.random(j)
        c_start = res.plan_end + self._uniform(j, 0, 14)
        for sel_mask, template, c_end in (
            (carer & (u < 0.20), TPL["carer_payment"], np.full(j, -1)),
            (carer & (u > 0.94), TPL["respite"], c_start + self._uniform(j, 6, 13)),
        ):
            sel = np.flatnonzero(sel_mask & (c_start <= L + 14) & (res.plan_end <= L))
            if len(sel):
                self.add_lines(np.full(len(sel), template, np.int16), person[sel], res.plan_conv[sel],
                               c_start[sel], c_end[sel], res.plan_end[sel])

        # existing clients: the journey may change what their support costs
        ended = res.end >= 0
        lv = res.first_live.astype(int)
        change = (had_lts & ended & ((res.plan_end >= 0) | (rng.random(j) < 0.2))
                  & (rng.random(j) < np.array(pr.PACKAGE_CHANGE)[lv]))
        ch_start = res.end + self._uniform(j, 1, 21)
        ch_created = np.maximum(res.end, ch_start - 3)
        change &= ch_created <= L
        sel = np.flatnonzero(change)
        if len(sel):
            p = person[sel]
            median = np.array([f[0] for f in pr.COST_FACTOR])[lv[sel]]
            spread = np.array([f[1] for f in pr.COST_FACTOR])[lv[sel]]
            factor = np.exp(np.log(median) + spread * rng.standard_normal(len(sel)))
            self._end_lines(p, ch_start[sel] - 1, ch_created[sel])
            old = {k: v[p] for k, v in self.lts.items()}
            lines = scale_line(old, factor)
            tpl = old["template"]
            to_home = (ppl["older"][p] & (ppl["age"][p] > 75)
                       & (rng.random(len(sel)) < np.where(lv[sel] == 1, 0.05, 0.12))
                       & ~np.isin(tpl, [TPL["residential"], TPL["nursing"]]))
            if to_home.any():
                moved = make_lines(rng, np.full(int(to_home.sum()), TPL["residential"], np.int16))
                for key in lines:
                    if key != "template":
                        lines[key][to_home] = moved[key]
                tpl = np.where(to_home, TPL["residential"], tpl).astype(np.int16)
            conv = np.where(res.plan_conv[sel] >= 0, res.plan_conv[sel], res.last_conv[sel])
            pos = self.add_lines(tpl, p, conv, ch_start[sel], -1, ch_created[sel], lines=lines)
            self._set_main_line(p, pos, tpl, lines, ch_start[sel])
            last_start[sel] = np.maximum(last_start[sel], ch_start[sel])
        # ... or end it: needs met another way
        stop = had_lts & ended & ~change & (lv == 1) & (rng.random(j) < 0.03)
        stop_day = res.end + self._uniform(j, 1, 14)
        stop &= stop_day <= L
        sel = np.flatnonzero(stop)
        if len(sel):
            self._end_lines(person[sel], stop_day[sel], res.end[sel])

        # discharged from hospital straight into a care home, with no Conversation 3
        discharge = is_request & (jroute == _RT["DISCHARGE_FROM_HOSPITAL"])
        placed = discharge & ~had_lts & ~new & (rng.random(j) < pr.DISCHARGE_TO_ASSESS)
        p_start = jday + self._uniform(j, 0, 3)
        placed &= p_start <= L
        sel = np.flatnonzero(placed)
        if len(sel):
            p = person[sel]
            tpl = np.where(rng.random(len(sel)) < 0.7, TPL["residential"], TPL["nursing"]).astype(np.int16)
            lines = make_lines(rng, tpl)
            pos = self.add_lines(tpl, p, -1, p_start[sel], -1, p_start[sel], lines=lines)
            self._set_main_line(p, pos, tpl, lines, p_start[sel])
            last_start[sel] = np.maximum(last_start[sel], p_start[sel])
        sel = np.flatnonzero(discharge)
        delays_for_discharges(self, person[sel], jteam[sel], jday[sel], placed[sel])

        # deaths
        older, age = ppl["older"][person], ppl["age"][person]
        p_die = np.where(older, 0.025 + 0.003 * np.maximum(age - 65, 0), 0.006)
        dies = ended & (rng.random(j) < p_die)
        death = np.where(res.deceased >= 0, res.deceased,
                         np.where(dies, last_start + self._uniform(j, 1, 360), -1))
        dead = (death >= 0) & (death <= L)
        sel = np.flatnonzero(dead)
        if len(sel):
            p = person[sel]
            self.death[p] = death[sel]
            self._end_lines(p, death[sel], death[sel] + self._uniform(len(sel), 0, 5))
            active[p] = False

        # when they come back
        open_journey = res.end < 0
        active[person[open_journey]] = False
        lts_now = self.lts_line[person] >= 0
        soon = rng.random(j) < 0.05
        gap = np.where(lts_now, self._uniform(j, 240, 420),
                       np.where(soon, self._uniform(j, 1, 27), 28 + rng.exponential(280, j).astype(np.int32)))
        t[person] = np.where(open_journey, t[person], np.maximum(res.end, last_start) + gap)

    # -- entity tables -------------------------------------------------------------
    def finish(self, offsets: dict[str, int]) -> dict[str, Table]:
        """Entity tables with ids; advances `offsets` (last id number used per entity)."""
        rng = self.rng
        L = self.last_day
        ppl = self.people
        out: dict[str, Table] = {}

        death_rec = np.where(self.death >= 0, self.death + self._uniform(self.n, 0, 6), -1)
        recorded = (death_rec >= 0) & (death_rec <= L)
        out["people"] = {
            "person_num": ppl["person_num"], "nhs": ppl["nhs"], "nhs_spaced": ppl["nhs_spaced"],
            "dob": ppl["dob"], "dod": np.where(recorded, self.death, -1).astype(np.int32),
            "gender": ppl["gender"], "ethnicity": ppl["ethnicity"], "district": ppl["district"],
            "sector": ppl["sector"], "unit": ppl["unit"], "psr": ppl["psr_recorded"], "carer": ppl["carer"],
            "accommodation": ppl["accommodation"],
            "created": self.created, "modified": np.where(recorded, death_rec, -1).astype(np.int32),
        }

        req = self.requests.table()
        order = np.lexsort((req["person"], req["day"]))
        req_num = np.empty(len(order), np.int64)
        req_num[order] = offsets["requests"] + np.arange(1, len(order) + 1)
        offsets["requests"] += len(order)
        out["requests"] = {
            "request_num": req_num[order], "person_num": ppl["person_num"][req["person"][order]],
            "team": req["team"][order], "day": req["day"][order], "route": req["route"][order],
            "created": req["day"][order], "modified": np.full(len(order), -1, np.int32),
        }

        cv = self.conversations.table()
        order = np.lexsort((cv["ctype"], cv["person"], cv["start"]))
        conv_num = np.empty(len(order), np.int64)
        conv_num[order] = offsets["conversations"] + np.arange(1, len(order) + 1)
        offsets["conversations"] += len(order)
        cvo = {k: v[order] for k, v in cv.items()}
        out["conversations"] = {
            "conversation_num": conv_num[order], "person_num": ppl["person_num"][cvo["person"]],
            "request_num": np.where(cvo["request"] >= 0, req_num[np.maximum(cvo["request"], 0)], -1),
            "team": cvo["team"], "worker": cvo["worker"], "ctype": cvo["ctype"], "start": cvo["start"],
            "end": cvo["end"], "outcome": cvo["outcome"], "reason": cvo["reason"], "note": cvo["note"],
            "peer": cvo["peer"], "created": cvo["start"], "modified": cvo["end"],
        }

        pk = self.packages.table()
        for positions, end, end_rec in self.end_updates:
            pk["end"][positions] = end
            pk["end_rec"][positions] = end_rec
        unknown_end = pk["end_rec"] > L  # the change is not in the case system yet
        pk["end"] = np.where(unknown_end, -1, pk["end"])
        pk["end_rec"] = np.where(unknown_end | (pk["end_rec"] <= pk["created"]), -1, pk["end_rec"])
        order = np.lexsort((pk["person"], pk["created"]))
        pkg_num = offsets["packages"] + np.arange(1, len(order) + 1)
        offsets["packages"] += len(order)
        pko = {k: v[order] for k, v in pk.items()}
        out["packages"] = {
            "package_num": pkg_num, "person_num": ppl["person_num"][pko["person"]],
            "conversation_num": np.where(pko["conv"] >= 0, conv_num[np.maximum(pko["conv"], 0)], -1),
            **{k: pko[k] for k in ("service_type", "component", "mechanism", "freq", "unit_cost", "planned",
                                   "contribution", "provider", "start", "end")},
            "created": pko["created"], "modified": pko["end_rec"],
        }

        dl = self.delays.table()
        order = np.lexsort((dl["provider"], dl["ready"]))
        dlo = {k: v[order] for k, v in dl.items()}
        delay_num = offsets["hospital_delays"] + np.arange(1, len(order) + 1)
        offsets["hospital_delays"] += len(order)
        late = dlo["discharge"] > dlo["ready"]
        out["hospital_delays"] = {
            "delay_num": delay_num,
            "person_num": np.where(dlo["person"] >= 0, ppl["person_num"][np.maximum(dlo["person"], 0)], -1),
            **{k: dlo[k] for k in ("nhs", "nhs_spaced", "provider", "bed_type", "ready", "discharge", "reason",
                                   "org")},
            "created": dlo["ready"], "modified": np.where(late, dlo["discharge"], -1).astype(np.int32),
        }
        for table in out.values():
            _clock(rng, table)
        return out


def _clock(rng: np.random.Generator, table: Table) -> None:
    """Times of day for creation and change: office hours, some with milliseconds."""
    n = len(table["created"])
    c_sec = (7 * 3600 + rng.random(n) * 13 * 3600).astype(np.int32)
    m_sec = (7 * 3600 + rng.random(n) * 13 * 3600).astype(np.int32)
    same = table["modified"] == table["created"]
    m_sec = np.where(same, np.minimum(np.maximum(m_sec, c_sec + 60), 86399), m_sec)
    c_ms = np.where(rng.random(n) < 0.25, rng.integers(1, 1000, n), 0).astype(np.int16)
    m_ms = np.where(rng.random(n) < 0.25, rng.integers(1, 1000, n), 0).astype(np.int16)
    table["created_sec"], table["created_ms"] = c_sec, c_ms
    table["modified_sec"], table["modified_ms"] = m_sec, m_ms
