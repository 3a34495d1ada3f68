"""Delta edge cases the pipeline must get right, planted in the first chunk's records.

Each one is a version added to (or changed in) a folder, and is described in the
summary so the pipeline's tests can find it:

- later_correction: a conversation's outcome corrected, with a later last_modified;
- replayed_version: the same version of a conversation sent again in a later extract;
- stale_correction_request / stale_correction_package: a changed version whose
  last_modified is older than the one already sent (it must lose);
- tie_on_last_modified: a person re-sent with a change and the same last_modified
  (the later extract wins);
- deleted_conversation / deleted_package: is_deleted = true in a later extract;
- entered_twice: two duplicate requests created in one extract and deleted in the next;
- deleted_before_first_extract: a request delivered in the full history already deleted;
- package_line_corrected: a service line's unit cost corrected in a later extract;
- team_renamed: a team's name corrected (the only delta carrying teams);
- person_moved: a person's postcode changed in a later extract.
"""

from __future__ import annotations

import numpy as np

from . import council
from .extracts import Plan
from .practice import O
from .simulate import _RT
from .tables import Table, concat, length, take

DUPLICATE_REQUEST_BASE = 990_000_000
_ID_COLUMN = {"people": ("P", "person_num", 8), "requests": ("RQ", "request_num", 9),
              "conversations": ("CV", "conversation_num", 9), "packages": ("PK", "package_num", 9),
              "teams": ("", "team", 0)}


class _Planter:
    def __init__(self, plan: Plan, vt: list[dict[str, Table]], protect: list[dict[str, np.ndarray]],
                 rng: np.random.Generator):
        self.plan, self.vt, self.protect, self.rng = plan, vt, protect, rng
        self.log: dict[str, str] = {}
        self.first_day = plan.folders[0].day

    def folder(self, k: int, entity: str) -> int | None:
        d = self.plan.delta(k)
        return None if d is None else self.plan.carrying(d, entity)

    def guard(self, k: int, entity: str) -> np.ndarray:
        t = self.vt[k].get(entity)
        n = length(t) if t else 0
        g = self.protect[k].get(entity)
        if g is None or len(g) != n:
            old = g if g is not None else np.zeros(0, bool)
            g = np.concatenate([old, np.zeros(n - len(old), bool)])
            self.protect[k][entity] = g
        return g

    def pick(self, entity: str, mask: np.ndarray) -> int | None:
        """A record from the full history that no natural later version touches."""
        t = self.vt[0].get(entity)
        if not t:
            return None
        stable = (t["modified"] < 0) | (t["modified"] <= self.first_day)
        pool = np.flatnonzero(mask & stable & ~self.guard(0, entity))
        if not len(pool):
            return None
        row = int(pool[int(self.rng.integers(len(pool)))])
        self.guard(0, entity)[row] = True
        return row

    def add(self, k: int, entity: str, rows: Table) -> None:
        t = self.vt[k].get(entity)
        g = self.guard(k, entity)
        self.vt[k][entity] = concat([t, rows]) if t else rows
        self.protect[k][entity] = np.concatenate([g, np.ones(length(rows), bool)])

    def name(self, entity: str, rows: Table) -> str:
        prefix, col, width = _ID_COLUMN[entity]
        value = int(rows[col][0])
        return f"{prefix}{value:0{width}d}" if width else council.TEAMS[value].team_id

    def where(self, k: int, entity: str) -> str:
        return f"{self.plan.folders[k].name}/{entity}.csv"

    def stamp(self, rows: Table, k: int, hhmmss: tuple[int, int, int]) -> Table:
        h, m, s = hhmmss
        rows["lm_day"] = np.full(length(rows), self.plan.folders[k].day, np.int32)
        rows["lm_sec"] = np.full(length(rows), h * 3600 + m * 60 + s, np.int32)
        rows["lm_ms"] = np.zeros(length(rows), np.int16)
        return rows

    def version(self, entity: str, target: int | None, row: int | None, label: str, change, when=None,
                describe: str = "") -> None:
        if target is None or row is None:
            return
        rows = take(self.vt[0][entity], [row])
        rows = {k: v.copy() for k, v in rows.items()}
        change(rows)
        if when is not None:
            self.stamp(rows, target, when)
        self.add(target, entity, rows)
        self.log[label] = f"{self.where(target, entity)} {self.name(entity, rows)}{describe}"


def plant(plan: Plan, vt: list[dict[str, Table]], protect: list[dict[str, np.ndarray]],
          rng: np.random.Generator) -> dict[str, str]:
    p = _Planter(plan, vt, protect, rng)
    if plan.delta(1) is None:
        return p.log
    conv = vt[0].get("conversations", {})
    if conv:
        def outcome_fix(r):
            r["outcome"][:] = O["COMMUNITY_CONNECTED"]
        p.version("conversations", p.folder(1, "conversations"),
                  p.pick("conversations", conv["outcome"] == O["INFO_ADVICE"]), "later_correction", outcome_fix,
                  (11, 2, 3), ": outcome INFO_ADVICE -> COMMUNITY_CONNECTED")
        p.version("conversations", p.folder(2, "conversations"), p.pick("conversations", conv["end"] >= 0),
                  "replayed_version", lambda r: None, None, ": same version as in the first extract")
        p.version("conversations", p.folder(5, "conversations"), p.pick("conversations", conv["end"] >= 0),
                  "deleted_conversation", lambda r: r["deleted"].fill(True), (9, 41, 0))

    req = vt[0].get("requests", {})
    if req:
        def reroute(r):
            r["route"][:] = np.where(r["route"] == _RT["COMMUNITY"], _RT["SELF_FUNDER"], _RT["COMMUNITY"])
            r["lm_day"] -= 2
        p.version("requests", p.folder(3, "requests"), p.pick("requests", np.ones(length(req), bool)),
                  "stale_correction_request", reroute, None, ": route_of_access changed, last_modified 2 days older")
        row = p.pick("requests", np.ones(length(req), bool))
        if row is not None:
            req["deleted"][row] = True
            req["lm_day"][row] = min(int(req["created"][row]) + 1, p.first_day)
            p.log["deleted_before_first_extract"] = (f"{p.where(0, 'requests')} "
                                                     f"{p.name('requests', take(req, [row]))}")
        row = p.pick("requests", np.ones(length(req), bool))
        k1, k2 = p.folder(1, "requests"), p.folder(2, "requests")
        if row is not None and k1 is not None and k2 is not None:
            dup = take(req, [row, row])
            dup = {k: v.copy() for k, v in dup.items()}
            dup["request_num"][:] = [DUPLICATE_REQUEST_BASE + 1, DUPLICATE_REQUEST_BASE + 2]
            dup["created"][:] = plan.folders[k1].day
            dup["modified"][:] = plan.folders[k2].day
            first = p.stamp({k: v.copy() for k, v in dup.items()}, k1, (10, 5, 0))
            first["deleted"][:] = False
            p.add(k1, "requests", first)
            gone = p.stamp({k: v.copy() for k, v in dup.items()}, k2, (9, 12, 30))
            gone["deleted"][:] = True
            p.add(k2, "requests", gone)
            p.log["entered_twice"] = (f"{p.where(k1, 'requests')} RQ{DUPLICATE_REQUEST_BASE + 1:09d}, "
                                      f"RQ{DUPLICATE_REQUEST_BASE + 2:09d}; deleted in {p.where(k2, 'requests')}")

    pk = vt[0].get("packages", {})
    if pk:
        priced = pk["unit_cost"] > 0

        def dearer(r):
            r["unit_cost"][:] = np.round(r["unit_cost"] * 1.5, 2)
            r["lm_day"] -= 3
        p.version("packages", p.folder(3, "packages"), p.pick("packages", priced), "stale_correction_package",
                  dearer, None, ": unit_cost x1.5, last_modified 3 days older")

        def corrected(r):
            r["unit_cost"][:] = np.round(r["unit_cost"] * 1.04 + 0.01, 2)
        p.version("packages", p.folder(2, "packages"), p.pick("packages", priced), "package_line_corrected",
                  corrected, (15, 20, 0), ": unit_cost corrected")
        p.version("packages", p.folder(5, "packages"), p.pick("packages", np.ones(length(pk), bool)),
                  "deleted_package", lambda r: r["deleted"].fill(True), (16, 0, 5))

    ppl = vt[0].get("people", {})
    if ppl:
        def tie(r):
            r["accommodation"][:] = (r["accommodation"] + 1) % 8
        p.version("people", p.folder(4, "people"), p.pick("people", ppl["accommodation"] >= 0),
                  "tie_on_last_modified", tie, None, ": accommodation changed, same last_modified")

        def moved(r):
            r["district"][:] = r["district"] % 15 + 1
            r["sector"][:] = (r["sector"] + 3) % 10
        p.version("people", p.folder(3, "people"), p.pick("people", ppl["district"] > 0), "person_moved", moved,
                  (14, 30, 0), ": postcode changed")

    teams = vt[0].get("teams", {})
    if teams:
        def rename(r):
            r["name"] = np.array([r["name"][0] + " (innovation site)"], dtype=object)
        p.version("teams", p.folder(1, "teams"), p.pick("teams", teams["go_live"] >= 0), "team_renamed", rename,
                  (8, 45, 0), ": team_name corrected")
    return p.log
