"""A pandas reference implementation of threec's four core facts, for the benchmark.

It reads the same landed CSV files threec reads and implements, from the metric
definitions and the export contract (docs/metrics.md, docs/contract.md), what a good
pandas user would write: vectorised column operations, no loops over rows.

- Delivery (contract, "Delivery"): extract folders dated on or before the as-of date;
  a manifest's SHA-256 and row count reject a file whole; header names are matched
  case-insensitively after trimming, in any order; a duplicate name or a missing
  required column rejects the file; empty text is null.
- Validation (contract, "Bad rows"): every rule of `threec/contract.yaml` for the
  columns of each entity; a row that breaks any rule is not a version.
- Current versions (contract, "Deltas"): greatest last_modified, ties to the later
  extract, then the later row; a deleted winner removes the record.
- Facts as of the as-of date (metrics): `fct_conversations` (order, next
  conversation, journeys, outcome bucket, the four escalation flags),
  `fct_requests` (first conversation, wait, new client, led to long-term support),
  `fct_packages` (units per week, weekly, net and annualised cost),
  `fct_delayed_days` (delayed days per month x provider x bed type x reason x
  responsible organisation).

It reads only the four entities these facts need (not people or teams) and, of them,
skips the columns that carry no contract rule and feed no fact. It writes each fact
as Parquet. The contract rules and settings (28 days, 90 days, note placeholders) are
read from the contract and dbt_project.yml, the same configuration threec runs with;
their meaning is implemented here independently of threec's SQL.

Known limit: a row the CSV reader itself cannot parse (wrong field count, invalid
UTF-8) stops the reference with an error, where threec quarantines that row. The
generated councils never contain one; the benchmark fails loudly rather than diverge.

    python bench/pandas_reference.py --landing DIR --as-of YYYY-MM-DD --out DIR
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import re
import sys
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

ENTITIES = ("requests", "conversations", "packages", "hospital_delays")
# Columns with no contract rule that no fact uses: never read.
UNUSED = {"packages": {"provider_id"}, "hospital_delays": {"person_id", "nhs_number"}}

_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_TS_BASE = _DATE + r"T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
_TS_OFFSET = _TS_BASE + r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)"
_DECIMAL = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"
# ASCII punctuation and whitespace, spelled out so every regex engine agrees.
_PUNCT_SPACE = r"[!-/:-@\[-`{-~\t\n\v\f\r ]"
_SPACE = r"[\t\n\f\r ]"


@dataclass
class Rejected(Exception):
    reason: str


class Clock:
    def __init__(self) -> None:
        self.start = self.last = time.monotonic()

    def lap(self, what: str) -> None:
        now = time.monotonic()
        print(f"pandas: {what}: {now - self.last:.2f} s", flush=True)
        self.last = now


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def _true(mask) -> np.ndarray:
    """A boolean mask with nulls as False (a SQL condition that is null is not met)."""
    if isinstance(mask, pd.Series):
        return mask.fillna(False).to_numpy(dtype=bool)
    return np.asarray(mask, dtype=bool)


def read_manifest(folder: Path) -> tuple[dict | None, str | None]:
    path = next((f for f in folder.iterdir() if f.name.lower() == "manifest.csv"), None)
    if path is None:
        return None, None
    try:
        text = path.read_text("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
    except (UnicodeDecodeError, csv.Error) as exc:
        return None, f"manifest unreadable: {exc}"
    if not rows and not text.strip():
        return None, "manifest is empty"
    if rows and not {"entity", "file", "row_count", "sha256"} <= {(h or "").strip().lower() for h in rows[0]}:
        return None, "manifest lacks columns"
    entries = {}
    for row in rows:
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
        entity = row.get("entity") or Path(row.get("file", "")).stem
        try:
            count = int(row["row_count"]) if row.get("row_count") else None
        except ValueError:
            return None, "manifest row_count is not a whole number"
        entries[entity] = (count, (row.get("sha256") or "").lower() or None)
    return entries, None


class Reader:
    def __init__(self, contract, settings: dict):
        self.contract = contract
        self.min_chars = int(settings["meaningful_note_min_chars"])
        self.placeholders = {re.sub(r"^[\W_]+|[\W_]+$", "", p.strip()).lower()
                             for p in settings["note_placeholders"]}
        self.rejected: list[str] = []
        self.rows_read = 0
        self.csv_s = 0.0  # of the read stage: parsing CSV (the rest is validation)

    def entity_versions(self, landing: Path, as_of: dt.date, entity: str) -> pd.DataFrame:
        """Every valid delivered row of one entity, parsed, with its extract date and row."""
        frames = []
        for folder in sorted(d for d in landing.iterdir() if d.is_dir()):
            try:
                extract_date = dt.date.fromisoformat(folder.name) if len(folder.name) == 10 else None
            except ValueError:
                extract_date = None
            if extract_date is None or extract_date > as_of:
                continue
            path = folder / f"{entity}.csv"
            if not path.is_file():
                continue
            manifest, manifest_error = read_manifest(folder)
            try:
                if manifest_error:
                    raise Rejected(manifest_error)
                frames.append(self.read_file(path, entity, extract_date, (manifest or {}).get(entity)))
            except Rejected as exc:
                self.rejected.append(f"{folder.name}/{path.name}: {exc.reason}")
        return pd.concat(frames, ignore_index=True)

    def read_file(self, path: Path, entity_name: str, extract_date: dt.date, entry) -> pd.DataFrame:
        entity = self.contract.entities[entity_name]
        with path.open("r", encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), None)
        if not header or all(not h.strip() for h in header):
            raise Rejected("no header")
        names = [h.strip().lower() for h in header]
        if len(set(names)) != len(names):
            raise Rejected("duplicate column name")
        missing = [c for c in entity.required_columns if c not in names]
        if missing:
            raise Rejected(f"required columns missing: {missing}")
        if entry and entry[1] and entry[1] != _sha256(path):
            raise Rejected("SHA-256 differs from the manifest")
        wanted = [c.name for c in entity.columns if c.name not in UNUSED.get(entity_name, ())]
        raw_names = {names.index(c): c for c in wanted if c in names}
        started = time.monotonic()
        try:
            # pyarrow's reader itself: pandas' pyarrow engine cannot pass newlines_in_values, and a
            # quoted note may hold line breaks (the contract allows them)
            columns = [header[i] for i in raw_names]
            df = pacsv.read_csv(
                path,
                parse_options=pacsv.ParseOptions(newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(include_columns=columns,
                                                     column_types={c: pa.string() for c in columns},
                                                     null_values=[""], strings_can_be_null=True),
            ).to_pandas()
        except Exception as exc:  # pyarrow raises several error types for unparsable CSV
            raise SystemExit(f"pandas reference: cannot parse {path} as CSV ({exc}); threec would quarantine "
                             "the broken rows, this reference does not handle them") from None
        df.columns = [raw_names[header.index(c)] for c in df.columns]
        self.csv_s += time.monotonic() - started
        if entry and entry[0] is not None and entry[0] != len(df):
            raise Rejected("row count differs from the manifest")
        self.rows_read += len(df)
        return self.validate(entity, df, extract_date)

    def parse(self, col, v: pd.Series) -> pd.Series:
        if col.type == "date":
            return pd.to_datetime(v.where(_true(v.str.fullmatch(_DATE))), format="%Y-%m-%d", errors="coerce")
        if col.type == "timestamp":
            offset = _true(v.str.fullmatch(_TS_OFFSET))
            local = _true(v.str.fullmatch(_TS_BASE))
            out = pd.Series(pd.NaT, index=v.index, dtype="datetime64[us]")
            if offset.any():
                out[offset] = (pd.to_datetime(v[offset], format="ISO8601", utc=True, errors="coerce")
                               .dt.tz_localize(None).astype("datetime64[us]"))
            if local.any():
                naive = pd.to_datetime(v[local], format="ISO8601", errors="coerce")
                # UK local time; in the autumn's repeated hour the later (GMT) reading, in
                # the spring's missing hour an hour on, as DuckDB's ICU time zones do.
                out[local] = (naive.dt.tz_localize(self.contract.delivery["timezone"],
                                                   ambiguous=np.zeros(len(naive), bool),
                                                   nonexistent=pd.Timedelta(hours=1))
                              .dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]"))
            return out
        if col.type == "boolean":
            out = pd.Series(pd.NA, index=v.index, dtype="boolean")
            out[_true(v.isin(self.contract.delivery["boolean_true"]))] = True
            out[_true(v.isin(self.contract.delivery["boolean_false"]))] = False
            return out
        if col.type == "decimal":
            return pd.to_numeric(v.where(_true(v.str.fullmatch(_DECIMAL))), errors="coerce").astype("float64")
        if col.type in ("text", "code", "note", "nhs_number"):
            return v
        raise NotImplementedError(f"the pandas reference does not read {col.type} columns ({col.name})")

    def validate(self, entity, df: pd.DataFrame, extract_date: dt.date) -> pd.DataFrame:
        n = len(df)
        raw = {c.name: df[c.name] if c.name in df else pd.Series(pd.NA, index=df.index, dtype="str")
               for c in entity.columns if c.name not in UNUSED.get(entity.name, ())}
        parsed = {c.name: self.parse(c, raw[c.name]) for c in entity.columns if c.name in raw}
        bad = np.zeros(n, bool)
        extract_ts = pd.Timestamp(extract_date)
        for c in entity.columns:
            if c.name not in raw:
                assert not c.required and not c.rules and c.type != "code", f"{entity.name}.{c.name} has rules"
                continue
            v, p, r = raw[c.name], parsed[c.name], c.rules
            if c.required:
                bad |= _true(v.isna())
            if c.type in ("date", "timestamp", "decimal", "boolean"):
                bad |= _true(v.notna()) & _true(p.isna())
            if c.type == "code":
                bad |= _true(v.notna()) & ~_true(v.isin(self.contract.codes(c.code_list)))
            if "max_length" in r:
                bad |= _true(v.str.len() > int(r["max_length"]))
            if "min" in r:
                bad |= _true(p < float(r["min"]))
            if "min_exclusive" in r:
                bad |= _true(p <= float(r["min_exclusive"]))
            if r.get("not_after_extract_date"):
                bad |= _true(p > extract_ts)
            if "max_years_before_extract" in r:
                bad |= _true(p < extract_ts - pd.DateOffset(years=int(r["max_years_before_extract"])))
            if "not_before" in r:
                bad |= _true(p < parsed[r["not_before"]])
            for key, must_be_null in (("required_when", False), ("null_when", True)):
                if key not in r:
                    continue
                cond = r[key]
                if "in" in cond:
                    when = _true(raw[cond["column"]].isin(cond["in"]))
                else:
                    other = parsed[cond["column"]]
                    when = _true(other.isna()) if cond["is_null"] else _true(other.notna())
                bad |= when & (_true(v.notna()) if must_be_null else _true(v.isna()))
        out = {}
        for c in entity.columns:
            if c.name not in raw:
                out[c.name] = pd.Series(pd.NA, index=df.index, dtype="str")
            elif c.type == "note":
                out[c.name] = self.meaningful(raw[c.name])
            elif c.default is not None:
                out[c.name] = parsed[c.name].fillna(bool(c.default)).astype(bool)
            else:
                out[c.name] = parsed[c.name]
        result = pd.DataFrame(out)
        result["_extract_date"] = extract_ts
        result["_row"] = np.arange(1, n + 1)
        return result[~bad]

    def meaningful(self, v: pd.Series) -> pd.Series:
        """Metrics, 'Explained': >= min_chars once whitespace is trimmed, and not a
        placeholder once edge punctuation is stripped and case ignored; null note -> null."""
        notes = v.dropna()  # most conversations carry no note: test only those that do
        trimmed = notes.str.replace(f"^{_SPACE}+|{_SPACE}+$", "", regex=True)
        bare = notes.str.replace(f"^{_PUNCT_SPACE}+|{_PUNCT_SPACE}+$", "", regex=True).str.lower()
        flag = pd.Series(pd.NA, index=v.index, dtype="boolean")
        flag[notes.index] = (_true(trimmed.str.len() >= self.min_chars) & ~_true(bare.isin(self.placeholders)))
        return flag


def current(versions: pd.DataFrame, id_column: str) -> pd.DataFrame:
    """Latest last_modified wins, ties to the later extract, then the later row; deleted out.
    Most records have one version, so only the repeated ones are sorted."""
    repeated = versions[id_column].duplicated(keep=False).to_numpy()
    many = versions[repeated].sort_values([id_column, "last_modified", "_extract_date", "_row"])
    winners = many.drop_duplicates(id_column, keep="last")
    out = pd.concat([versions[~repeated], winners], ignore_index=True)
    return out[~out["is_deleted"].to_numpy()].drop(columns=["is_deleted", "_row"]).reset_index(drop=True)


def _days(delta: pd.Series) -> pd.Series:
    return (delta.dt.days).astype("Int64")


def fct_conversations(conv: pd.DataFrame, as_of: pd.Timestamp, settings: dict, contract) -> pd.DataFrame:
    c = conv[_true(conv["start_date"] <= as_of)].copy()
    ended = _true(c["end_date"] <= as_of)
    c["recorded_end_date"] = c["end_date"]
    c["recorded_outcome"] = c["outcome"]
    c["end_date"] = c["end_date"].where(ended)
    c["outcome"] = c["outcome"].where(ended)
    c["is_ended"] = ended
    ranks = {x.code: int(x.extra["rank"]) for x in contract.code_lists["conversation_type"]}
    c["conversation_type_rank"] = c["conversation_type"].map(ranks).astype("int64")
    # The order (start, type rank, id) as one integer rank, and persons as integer codes:
    # sorting integers with numpy is far cheaper than a multi-key sort over strings.
    # Which person comes first does not matter, only each person's own order.
    by_id = np.empty(len(c), np.int64)
    by_id[c["conversation_id"].argsort().to_numpy()] = np.arange(len(c))
    start = c["start_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    order = np.empty(len(c), np.int64)
    order[np.lexsort((by_id, c["conversation_type_rank"].to_numpy(), start))] = np.arange(len(c))
    person_code = pd.factorize(c["person_id"])[0]
    sorted_rows = np.lexsort((order, person_code))
    c = c.iloc[sorted_rows].reset_index(drop=True)
    c["_order"] = order[sorted_rows]
    person = person_code[sorted_rows]
    ended = c["is_ended"].to_numpy()
    n = len(c)
    idx = np.arange(n)
    first_of_person = np.r_[True, person[1:] != person[:-1]] if n else np.zeros(0, bool)
    follows = np.r_[~first_of_person[1:], False] if n else np.zeros(0, bool)  # a following one of the same person
    person_start = np.maximum.accumulate(np.where(first_of_person, idx, 0)) if n else idx
    c["person_conversation_seq"] = idx - person_start + 1

    def following(col: str) -> pd.Series:
        return c[col].shift(-1).where(follows)

    window = pd.Timedelta(days=int(settings["next_conversation_window_days"]))
    nxt_start = following("start_date")
    has_next = follows & (_true(c["end_date"].isna()) | _true(nxt_start <= c["end_date"] + window))
    c["has_next"] = has_next
    for col, name in (("conversation_id", "next_conversation_id"), ("conversation_type", "next_conversation_type"),
                      ("start_date", "next_start_date"), ("team_id", "next_team_id"),
                      ("escalation_reason", "next_escalation_reason"),
                      ("escalation_note", "next_has_meaningful_escalation_note"),
                      ("peer_challenge_date", "next_peer_challenge_date")):
        c[name] = following(col).where(has_next)
    is_start = first_of_person | ~np.r_[False, has_next[:-1]] if n else np.zeros(0, bool)
    c["is_journey_start"] = is_start
    journey_start = np.maximum.accumulate(np.where(is_start, idx, 0)) if n else idx
    c["journey_id"] = c["conversation_id"].to_numpy()[journey_start]
    c["journey_position"] = idx - journey_start + 1

    positive = set(contract.positive_outcomes())
    c["is_positive_outcome"] = _true(c["outcome"].isin(positive))
    ctype, ntype = c["conversation_type"], c["next_conversation_type"]
    first_type = _true(ctype.isin(["C1A", "C1"]))
    to_c2, to_c3 = _true(ntype == "C2"), _true(ntype == "C3")
    bucket = np.select(
        [has_next & to_c2 & first_type, has_next & to_c3 & _true(ctype.isin(["C1A", "C1", "C2"])), has_next,
         ended & c["is_positive_outcome"].to_numpy(), ended],
        ["escalated_to_c2", "escalated_to_c3", "continued", "closed_positive", "closed_other"], "open")
    c["outcome_bucket"] = bucket
    direct = has_next & first_type & to_c3
    meaningful = _true(c["escalation_note"])
    next_meaningful = _true(c["next_has_meaningful_escalation_note"])
    explained = direct & (_true(c["escalation_reason"].notna()) | _true(c["next_escalation_reason"].notna())
                          | meaningful | next_meaningful)
    c["is_direct_escalation"] = direct
    c["is_explained_escalation"] = explained
    c["is_unexplained_escalation"] = direct & ~explained
    c["is_unchallenged_escalation"] = direct & _true(c["peer_challenge_date"].isna()) \
        & _true(c["next_peer_challenge_date"].isna())
    duration = _days(c["end_date"] - c["start_date"])
    premature_days = int(settings["premature_escalation_max_days"])
    c["is_premature_escalation"] = direct & ended & _true(duration <= premature_days)
    c["duration_days"] = duration.where(ended)
    c["days_open_at_as_of"] = _days(as_of - c["start_date"]).where(~ended)
    c["has_meaningful_escalation_note"] = meaningful
    return c.drop(columns=["escalation_note", "next_escalation_reason", "next_has_meaningful_escalation_note",
                           "next_peer_challenge_date", "last_modified", "_extract_date"])  # keeps _order


def fct_requests(req: pd.DataFrame, conv: pd.DataFrame, packages: pd.DataFrame, as_of: pd.Timestamp,
                 settings: dict, contract) -> pd.DataFrame:
    r = req[_true(req["request_date"] <= as_of)].drop(columns=["last_modified", "_extract_date"])
    answered = conv[_true(conv["request_id"].notna())]
    # the first in the conversation order: the least _order (start, type rank, id) per request
    first = (answered.loc[answered.groupby("request_id", sort=False)["_order"].idxmin()]
             [["request_id", "conversation_id", "conversation_type", "team_id", "start_date"]]
             .rename(columns={"conversation_id": "first_conversation_id",
                              "conversation_type": "first_conversation_type",
                              "team_id": "first_conversation_team_id",
                              "start_date": "first_conversation_date"}))
    r = r.merge(first, on="request_id", how="left")
    r["wait_days"] = _days(r["first_conversation_date"] - r["request_date"])
    r["is_waiting"] = _true(r["first_conversation_id"].isna())
    r["days_waiting_at_as_of"] = _days(as_of - r["request_date"]).where(r["is_waiting"])

    lts = packages[_true(packages["service_type"].isin(contract.long_term_service_types()))
                   & _true(packages["start_date"] <= as_of)][["person_id", "start_date", "end_date", "cost_frequency"]]
    # each request x each long-term line of its person; flags go back by row position
    pairs = r[["person_id", "request_date"]].assign(_row=np.arange(len(r))).merge(lts, on="person_id")
    day = pairs["request_date"]
    one_off = _true(pairs["cost_frequency"] == "ONE_OFF")
    active = _true(pairs["start_date"] <= day) & np.where(
        one_off, _true(day == pairs["start_date"]), _true(pairs["end_date"].isna()) | _true(day <= pairs["end_date"]))
    window = pd.Timedelta(days=int(settings["long_term_support_window_days"]))
    started = _true(pairs["start_date"] >= day) & _true(pairs["start_date"] <= day + window)
    rows = pairs["_row"].to_numpy()
    had_long_term = np.zeros(len(r), bool)
    had_long_term[rows[active]] = True
    long_term_started = np.zeros(len(r), bool)
    long_term_started[rows[started]] = True
    r["is_new_client"] = ~had_long_term
    r["led_to_long_term_support"] = ~had_long_term & long_term_started
    return r


def units_per_week(contract) -> tuple[dict[str, float], set[str]]:
    fixed, planned = {}, set()
    for code in contract.code_lists["cost_frequency"]:
        spec = code.extra.get("units_per_week")
        if spec == "planned":
            planned.add(code.code)
        elif spec is not None:
            fixed[code.code] = float(Fraction(str(spec)))
    return fixed, planned


def fct_packages(pkg: pd.DataFrame, conv: pd.DataFrame, as_of: pd.Timestamp, contract) -> pd.DataFrame:
    p = pkg[_true(pkg["start_date"] <= as_of)].drop(columns=["last_modified", "_extract_date"]).copy()
    fixed, planned = units_per_week(contract)
    freq = p["cost_frequency"]
    one_off = _true(freq == "ONE_OFF")
    p["is_one_off"] = one_off
    p["units_per_week"] = np.where(_true(freq.isin(planned)), p["planned_units_per_week"],
                                   freq.map(fixed).astype("float64"))
    p.loc[one_off, "units_per_week"] = np.nan
    weekly = p["unit_cost"] * p["units_per_week"]
    p["weekly_cost"] = weekly
    p["net_weekly_cost"] = (weekly - p["client_contribution_weekly"].fillna(0)).clip(lower=0)
    p["annualised_cost"] = weekly * 52
    p["is_long_term"] = _true(p["service_type"].isin(contract.long_term_service_types()))
    last_active = p["start_date"].where(one_off, p["end_date"])
    p["is_active_at_as_of"] = _true(p["start_date"] <= as_of) & (_true(last_active.isna()) | _true(as_of <= last_active))
    teams = conv[["conversation_id", "team_id"]].rename(columns={"team_id": "agreeing_team_id"})
    return p.merge(teams, on="conversation_id", how="left")


def fct_delayed_days(delays: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    d = delays[_true(delays["ready_date"] <= as_of)]
    discharged = d["discharge_date"].where(_true(d["discharge_date"] <= as_of))
    last = (discharged - pd.Timedelta(days=1)).fillna(as_of)
    days = (last - d["ready_date"]).dt.days + 1
    named = d[_true(d["provider_name"].notna())].sort_values(["provider_code", "ready_date", "delay_id"])
    names = named.drop_duplicates("provider_code", keep="last").set_index("provider_code")["provider_name"]
    keep = _true(days > 0)
    ready = d["ready_date"].to_numpy()[keep].astype("datetime64[D]")
    last_day = last.to_numpy()[keep].astype("datetime64[D]")
    first_month = ready.astype("datetime64[M]")
    months = (last_day.astype("datetime64[M]") - first_month).astype(np.int64) + 1
    which = np.repeat(np.arange(len(ready)), months)
    offsets = np.arange(len(which)) - np.repeat(np.cumsum(months) - months, months)
    month = first_month[which] + offsets.astype("timedelta64[M]")
    month_start = month.astype("datetime64[D]")
    month_end = (month + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")
    overlap = (np.minimum(last_day[which], month_end) - np.maximum(ready[which], month_start)).astype(np.int64) + 1
    kept = d[keep]
    rows = pd.DataFrame({
        "month": month_start,
        "provider_code": kept["provider_code"].to_numpy()[which],
        "bed_type": kept["bed_type"].to_numpy()[which],
        "reason_code": kept["reason_code"].to_numpy()[which],
        "responsible_org": kept["responsible_org"].to_numpy()[which],
        "delayed_days": overlap,
        "days_in_month": (month_end - month_start).astype(np.int64) + 1,
    })
    out = (rows.groupby(["month", "provider_code", "bed_type", "reason_code", "responsible_org"],
                        dropna=False, sort=False)
           .agg(delayed_days=("delayed_days", "sum"), delays=("delayed_days", "size"),
                days_in_month=("days_in_month", "max"))
           .reset_index())
    out["provider_name"] = out["provider_code"].map(names)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="pandas reference implementation of threec's core facts")
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--as-of", required=True, type=dt.date.fromisoformat)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    from threec.config import dbt_var_defaults
    from threec.contract import load_contract

    clock = Clock()
    contract = load_contract()
    settings = dbt_var_defaults()
    reader = Reader(contract, settings)
    as_of = pd.Timestamp(args.as_of)
    current_rows = {}
    for entity in ENTITIES:
        parsing = reader.csv_s
        versions = reader.entity_versions(args.landing, args.as_of, entity)
        clock.lap(f"read and validated {entity} ({len(versions):,} valid rows, CSV parsing "
                  f"{reader.csv_s - parsing:.2f} s of it)")
        current_rows[entity] = current(versions, contract.entities[entity].id_column)
        del versions
        clock.lap(f"current {entity} ({len(current_rows[entity]):,})")
    conversations = fct_conversations(current_rows["conversations"], as_of, settings, contract)
    clock.lap("fct_conversations")
    requests = fct_requests(current_rows["requests"], conversations, current_rows["packages"], as_of, settings,
                            contract)
    clock.lap("fct_requests")
    packages = fct_packages(current_rows["packages"], conversations, as_of, contract)
    clock.lap("fct_packages")
    delayed = fct_delayed_days(current_rows["hospital_delays"], as_of)
    clock.lap("fct_delayed_days")
    args.out.mkdir(parents=True, exist_ok=True)
    for name, frame in (("fct_conversations", conversations), ("fct_requests", requests),
                        ("fct_packages", packages), ("fct_delayed_days", delayed)):
        frame.drop(columns=[c for c in frame.columns if c.startswith("_")]).to_parquet(
            args.out / f"{name}.parquet", index=False)
    clock.lap("wrote Parquet")
    for line in reader.rejected:
        print(f"pandas: rejected whole: {line}")
    print(f"pandas: {reader.rows_read:,} rows read; {len(conversations):,} conversations, {len(requests):,} requests, "
          f"{len(packages):,} packages, {len(delayed):,} delayed-day rows in {time.monotonic() - clock.start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
