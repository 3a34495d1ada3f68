"""Contract rules as SQL. For one delivered file (all columns read as text) this builds
the query that parses every value and finds each row's first broken rule, so DuckDB
checks millions of rows set-wise. The rules come from contract.yaml; none is typed here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from threec.contract import Column, Contract, Entity
from threec.privacy import (
    note_meaningful_sql, nhs_valid_sql, postcode_district_sql, postcode_valid_sql, pseudonym_sql, sql_str,
)

_DATE = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
_TS_BASE = _DATE + r"T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
_TS_OFFSET = _TS_BASE + r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)"
_DECIMAL = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"
# Values quoted in reasons are cut to this length; personal values are never quoted.
_SHOWN_CHARS = 60
TYPE_WORDS = {
    "date": "a valid date (YYYY-MM-DD)",
    "timestamp": "a valid ISO 8601 timestamp (YYYY-MM-DDTHH:MM:SS, optional fraction and offset)",
    "decimal": "a number with '.' as the decimal point and no currency symbol",
}


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def raw_ref(col: Column) -> str:
    return q("v_" + col.name)


def parsed_ref(col: Column) -> str:
    return q("p_" + col.name)


@dataclass(frozen=True)
class Check:
    column: str
    rule: str
    condition: str
    reason: str  # SQL expression producing the message


@dataclass(frozen=True)
class NoteSettings:
    min_chars: int
    placeholders: tuple[str, ...]


def parse_sql(col: Column, contract: Contract) -> str:
    v = raw_ref(col)
    if col.type == "date":
        return f"case when regexp_full_match({v}, '{_DATE}') then cast(try_strptime({v}, '%Y-%m-%d') as date) end"
    if col.type == "timestamp":
        tz = contract.delivery["timezone"]
        return (f"case when regexp_full_match({v}, '{_TS_OFFSET}') "
                f"then timezone('UTC', try_cast({v} as timestamptz)) "
                f"when regexp_full_match({v}, '{_TS_BASE}') "
                f"then timezone('UTC', timezone('{tz}', try_cast({v} as timestamp))) end")
    if col.type == "boolean":
        whens = [f"when {sql_str(s)} then true" for s in contract.delivery["boolean_true"]]
        whens += [f"when {sql_str(s)} then false" for s in contract.delivery["boolean_false"]]
        return f"case {v} {' '.join(whens)} end"
    if col.type == "decimal":
        return f"case when regexp_full_match({v}, '{_DECIMAL}') then try_cast({v} as double) end"
    return v


# A value in the wrong column (a shifted row) may still be personal: anything shaped like
# an NHS number or a postcode is never quoted back.
_LOOKS_PERSONAL = r"[0-9]{3} ?[0-9]{3} ?[0-9]{4}"


def _shown(col: Column) -> str:
    if col.personal:
        return "'the value'"
    v = raw_ref(col)
    return (f"(case when regexp_matches({v}, '{_LOOKS_PERSONAL}') or {postcode_valid_sql(v)} "
            f"then 'the value' else '''' || left({v}, {_SHOWN_CHARS}) || '''' end)")


def _codes_sql(codes: list[str]) -> str:
    return ", ".join(sql_str(c) for c in codes)


def column_checks(entity: Entity, col: Column, contract: Contract, extract_date: dt.date) -> list[Check]:
    v, p, name = raw_ref(col), parsed_ref(col), col.name
    r = col.rules
    checks: list[Check] = []
    if col.required:
        checks.append(Check(name, "required", f"{v} is null", sql_str(f"{name} is required but empty")))
    if col.type in TYPE_WORDS or col.type == "boolean":
        words = TYPE_WORDS.get(col.type) or "a boolean (" + "/".join(
            contract.delivery["boolean_true"] + contract.delivery["boolean_false"]) + ")"
        checks.append(Check(name, "type", f"{v} is not null and {p} is null",
                            f"{_shown(col)} || {sql_str(f' is not {words}')}"))
    if col.type == "postcode":
        checks.append(Check(name, "postcode", f"{v} is not null and not {postcode_valid_sql(v)}",
                            sql_str(f"{name} is not a UK postcode")))
    if col.type == "code":
        codes = contract.codes(col.code_list)
        checks.append(Check(
            name, "code_list", f"{v} is not null and {v} not in ({_codes_sql(codes)})",
            f"{_shown(col)} || {sql_str(f' is not a {col.code_list} code (codes match exactly, case included)')}"))
    if "max_length" in r:
        n = int(r["max_length"])
        checks.append(Check(name, "max_length", f"length({v}) > {n}",
                            sql_str(f"{name} is longer than {n} characters")))
    if "min" in r:
        words = sql_str(" is below the minimum " + str(r["min"]))
        checks.append(Check(name, "min", f"{p} < {r['min']}", f"{_shown(col)} || {words}"))
    if "min_exclusive" in r:
        words = sql_str(" must be greater than " + str(r["min_exclusive"]))
        checks.append(Check(name, "min_exclusive", f"{p} <= {r['min_exclusive']}", f"{_shown(col)} || {words}"))
    if r.get("not_after_extract_date"):
        checks.append(Check(name, "not_after_extract_date", f"{p} > date '{extract_date.isoformat()}'",
                            f"{_shown(col)} || {sql_str(f' is after the extract date {extract_date}')}"))
    if "max_years_before_extract" in r:
        years = int(r["max_years_before_extract"])
        checks.append(Check(
            name, "max_years_before_extract",
            f"{p} < date '{extract_date.isoformat()}' - interval {years} year",
            f"{_shown(col)} || {sql_str(f' is more than {years} years before the extract date {extract_date}')}"))
    if "not_before" in r:
        other = entity.column(r["not_before"])
        checks.append(Check(name, "not_before", f"{p} < {parsed_ref(other)}",
                            f"{_shown(col)} || {sql_str(f' is before {other.name} ')} || {_shown(other)}"))
    for key, must in (("required_when", "required"), ("null_when", "must be empty")):
        if key not in r:
            continue
        cond = r[key]
        other = entity.column(cond["column"])
        if "in" in cond:
            when = f"{raw_ref(other)} in ({_codes_sql(cond['in'])})"
            words = f"{other.name} is {', '.join(cond['in'])}"
        else:
            when = f"{parsed_ref(other)} is {'' if cond['is_null'] else 'not '}null"
            words = f"{other.name} is {'empty' if cond['is_null'] else 'set'}"
        present = f"{v} is {'null' if must == 'required' else 'not null'}"
        checks.append(Check(name, key, f"{present} and {when}", sql_str(f"{name} {must} when {words}")))
    return checks


def stored_sql(col: Column, key: str, notes: NoteSettings) -> str:
    """The privacy-safe value written to raw.<entity> for a column that passed its checks."""
    v, p = raw_ref(col), parsed_ref(col)
    if col.type == "nhs_number":
        return f"case when {nhs_valid_sql(v)} then {pseudonym_sql(v, key)} end"
    if col.type == "postcode":
        return f"case when {v} is not null then {postcode_district_sql(v)} end"
    if col.type == "note":
        return note_meaningful_sql(v, notes.min_chars, notes.placeholders)
    if col.default is not None:
        return f"coalesce({p}, {str(col.default).lower()})"
    return p if col.type in TYPE_WORDS or col.type == "boolean" else v


def checked_sql(entity: Entity, contract: Contract, sources: dict[str, str | None],
                input_table: str, extract_date: dt.date) -> str:
    """Rows of ``input_table`` with raw (v_*) and parsed (p_*) values and ``_error``, a
    struct (column, rule, reason) of the first rule the row breaks, or null."""
    raw_cols = ", ".join(
        f"nullif({q(sources[c.name])}, '') as {raw_ref(c)}" if sources.get(c.name)
        else f"cast(null as varchar) as {raw_ref(c)}"
        for c in entity.columns)
    parsed_cols = ", ".join(f"{parse_sql(c, contract)} as {parsed_ref(c)}" for c in entity.columns)
    checks = [chk for c in entity.columns for chk in column_checks(entity, c, contract, extract_date)]
    whens = " ".join(
        f"when {chk.condition} then {{'column': {sql_str(chk.column)}, 'rule': {sql_str(chk.rule)}, "
        f"'reason': {chk.reason}}}" for chk in checks)
    return (f"with src as (select _row_number, {raw_cols} from {input_table}), "
            f"parsed as (select *, {parsed_cols} from src) "
            f"select *, case {whens} end as _error from parsed")


def nhs_note_sql(entity: Entity) -> list[tuple[str, str]]:
    """(column, condition) pairs for values that load but are nulled and noted."""
    return [(c.name, f"{raw_ref(c)} is not null and not {nhs_valid_sql(raw_ref(c))}")
            for c in entity.columns if c.type == "nhs_number"]
