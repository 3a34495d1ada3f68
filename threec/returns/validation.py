"""Field-by-field validation of the Client Level Data file, as the specification asks:
mandatory fields, defined values, date order, events inside the reporting period, and one
person's fields consistent across rows. Every rule comes from seed cld_fields and the
defined-list seeds; the result names rows by Event_Reference only, never an identifier."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from threec.privacy import nhs_valid_sql, postcode_valid_sql, sql_str
from threec.returns.cld_file import Field
from threec.returns.year import ReturnYear
from threec.validation import q

EXAMPLES = 10


@dataclass
class RuleResult:
    rule_id: str
    field: str
    module: str
    rule: str
    rows_checked: int
    rows_failing: int
    status: str
    examples: list[str] = field(default_factory=list)


def _rules(fields: list[Field], year: ReturnYear, unit_based_values: list[str]) -> list[tuple[Field, str, str, str, str]]:
    """(field, rule id, description, applies-to condition, failing condition) for every rule."""
    by_name = {f.name: f for f in fields}
    start, end = f"date '{year.start}'", f"date '{year.end}'"
    out = []
    for f in fields:
        col = q(f.name)
        blank = f"({col} is null or trim(cast({col} as varchar)) = '')"
        applies = "true" if f.applies_to == "all" else f"Event_Type = {sql_str(f.applies_to)}"
        scope = "every row" if f.applies_to == "all" else f"{f.applies_to} rows"
        if f.requirement == "mandatory":
            out.append((f, f"{f.name}.mandatory", f"present on {scope}", applies, blank))
        elif f.requirement == "when_ended":
            out.append((f, f"{f.name}.mandatory_when_ended", "present when Event_End_Date is set",
                        "Event_End_Date is not null", blank))
        elif f.requirement == "when_unit_based":
            values = ", ".join(sql_str(v) for v in unit_based_values) or "null"
            out.append((f, f"{f.name}.mandatory_when_unit_based",
                        "present and above 0 for hourly, daily and per-session costs",
                        f"Event_Type = 'Service' and Cost_Frequency_Unit_Type in ({values})",
                        f"({blank} or {col} <= 0)"))
        elif f.requirement == "not_in_export":
            out.append((f, f"{f.name}.not_in_export", "not in the case-system export: left blank", "true", "false"))
        if f.defined_list:
            out.append((f, f"{f.name}.defined_value", f"a value of the specification's {f.defined_list} list",
                        f"{col} is not null",
                        f"{col} not in (select value from wh.returns.int_cld_defined_values "
                        f"where cld_field = {sql_str(f.name)})"))
        # Fields filled on every row must agree across a person's rows; Client_Funding_Status
        # is filled per service line, so it may differ between them.
        if f.module == "Person details" and f.applies_to == "all" and f.requirement != "not_in_export":
            out.append((f, f"{f.name}.consistent_per_person", "the same on every row of the person",
                        "true", f"LA_Person_Unique_Identifier in (select LA_Person_Unique_Identifier from cld "
                                f"group by 1 having count(distinct coalesce(cast({col} as varchar), '')) > 1)"))
    extra = [
        ("NHS_Number", "format", "10 digits with a valid modulus-11 check digit", "NHS_Number is not null",
         f"not {nhs_valid_sql('NHS_Number')}"),
        ("Postcode", "format", "a full UK postcode", "Postcode is not null", f"not {postcode_valid_sql('Postcode')}"),
        ("Event_End_Date", "date_order", "on or after Event_Start_Date", "Event_End_Date is not null",
         "Event_End_Date < Event_Start_Date"),
        ("Date_of_Death", "date_order", "on or after Date_of_Birth", "Date_of_Death is not null",
         "Date_of_Death < Date_of_Birth"),
        ("Event_Start_Date", "after_birth", "on or after Date_of_Birth", "Date_of_Birth is not null",
         "Event_Start_Date < Date_of_Birth"),
        ("Event_Start_Date", "in_period", "on or before the reporting period's last day", "true",
         f"Event_Start_Date > {end}"),
        ("Event_End_Date", "in_period", "blank or on or after the reporting period's first day",
         "Event_End_Date is not null", f"Event_End_Date < {start}"),
        ("Reporting_Period_Start_Date", "matches_year", f"{year.start}", "true",
         f"Reporting_Period_Start_Date is distinct from {start}"),
        ("Reporting_Period_End_Date", "matches_year", f"{year.end}", "true",
         f"Reporting_Period_End_Date is distinct from {end}"),
        ("Event_Reference", "unique", "unique in the file", "true",
         "Event_Reference in (select Event_Reference from cld group by 1 having count(*) > 1)"),
    ]
    for name, rule, text, applies, failing in extra:
        out.append((by_name[name], f"{name}.{rule}", text, applies, failing))
    return out


def validate(con: duckdb.DuckDBPyConnection, fields: list[Field], year: ReturnYear) -> list[RuleResult]:
    """Run every rule over table ``cld``; failing Event_References go to table cld_failures."""
    unit_based = [v for (v,) in con.execute("""
        select distinct m.cld_value from wh.seeds.cld_code_map as m
        join wh.seeds.export_codes as e on e.code_list = m.code_list and e.code = m.code
        where m.cld_field = 'Cost_Frequency_Unit_Type' and e.uses_planned_units order by 1""").fetchall()]
    con.execute("create or replace temp table cld_failures (rule_id varchar, field varchar, event_reference varchar)")
    results = []
    for f, rule_id, text, applies, failing in _rules(fields, year, unit_based):
        con.execute(f"insert into cld_failures select {sql_str(rule_id)}, {sql_str(f.name)}, Event_Reference "
                    f"from cld where ({applies}) and coalesce({failing}, false)")
        (checked,) = con.execute(f"select count(*) from cld where {applies}").fetchone()
        (failed,) = con.execute("select count(*) from cld_failures where rule_id = ?", [rule_id]).fetchone()
        examples = [r for (r,) in con.execute(
            "select event_reference from cld_failures where rule_id = ? order by event_reference limit ?",
            [rule_id, EXAMPLES]).fetchall()]
        if f.requirement == "not_in_export" and rule_id.endswith(".not_in_export"):
            status = "not in export"
        else:
            status = "fail" if failed else "pass"
        results.append(RuleResult(rule_id, f.name, f.module, text, checked, failed, status, examples))
    return results
