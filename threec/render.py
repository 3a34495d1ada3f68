"""Render the contract into the files other tools read: dbt sources, the code-list seed
and the contract docs page. The files are committed; ``threec contract check`` (run by the
tests) fails when they no longer match ``contract.yaml``."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

from threec.contract import Column, Contract, load_contract, units_per_week

GENERATED = "# Generated from threec/contract.yaml by `threec contract render`: do not edit.\n"


DOUBLE_IN_YAML = "{{ 'double precision' if target.type == 'postgres' else 'double' }}"


def _rule_text(col: Column) -> str:
    r = col.rules
    parts: list[str] = []
    if "max_length" in r:
        parts.append(f"at most {r['max_length']} characters")
    if "min" in r:
        parts.append(f"≥ {r['min']}")
    if "min_exclusive" in r:
        parts.append(f"> {r['min_exclusive']}")
    if r.get("not_after_extract_date"):
        parts.append("not after the extract date")
    if "max_years_before_extract" in r:
        parts.append(f"not more than {r['max_years_before_extract']} years before the extract date")
    if "not_before" in r:
        parts.append(f"≥ {r['not_before']}")
    for key, verb in (("required_when", "required when"), ("null_when", "must be null when")):
        if key in r:
            cond = r[key]
            if "in" in cond:
                parts.append(f"{verb} {cond['column']} is {', '.join(cond['in'])}")
            else:
                parts.append(f"{verb} {cond['column']} is {'empty' if cond['is_null'] else 'set'}")
    if col.type == "nhs_number":
        parts.append("10 digits with a valid modulus-11 check digit; an invalid one is nulled and noted")
    if col.type == "postcode":
        parts.append("a UK postcode")
    return "; ".join(parts)


def sources_yaml(contract: Contract) -> str:
    tables = []
    for entity in contract.entities.values():
        columns = []
        for col in (*entity.columns, *contract.load_columns):
            desc = col.description
            if col.stored_as:
                desc = f"{desc} (delivered as `{col.name}`)"
            columns.append({"name": col.warehouse_name, "description": desc,
                            "data_type": col.warehouse_type.lower()})
        tables.append({
            "name": entity.name,
            "description": f"{entity.description} Every loaded version (id `{entity.id_column}`), "
                           "validated at ingest; bad rows are in dq.quarantine.",
            "columns": columns,
        })
    doc = {"version": 2, "sources": [{
        "name": "raw", "schema": "raw",
        "description": f"Validated, privacy-reduced loads of the case-system export (contract v{contract.version}).",
        "tables": tables,
    }]}
    return GENERATED + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110)


SEED_COLUMNS = ["code_list", "code", "label", "sort_order", "is_positive", "is_long_term",
                "units_per_week", "uses_planned_units"]


def codes_csv(contract: Contract) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SEED_COLUMNS)
    for list_name, codes in contract.code_lists.items():
        for position, code in enumerate(codes, start=1):
            upw = code.extra.get("units_per_week")
            writer.writerow([
                list_name, code.code, code.label, code.extra.get("rank", position),
                str(bool(code.extra.get("positive", False))).lower(),
                str(bool(code.extra.get("long_term", False))).lower(),
                "" if units_per_week(upw) is None else repr(units_per_week(upw)),
                str(upw == "planned").lower(),
            ])
    return out.getvalue()


def seeds_yaml() -> str:
    descriptions = {
        "code_list": "Name of the contract's code list (for example outcome, conversation_type).",
        "code": "The code exactly as the export delivers it.",
        "label": "What the code means.",
        "sort_order": "Position in the list; for conversation_type the metric type rank (C1A < C1 < C2 < C3).",
        "is_positive": "Outcome codes: whether the outcome counts as positive.",
        "is_long_term": "Service types: whether it is long-term support (LTS_*).",
        "units_per_week": "Cost frequencies: the weekly multiplier of unit_cost; null when planned units or one-off.",
        "uses_planned_units": "Cost frequencies: whether planned_units_per_week is the multiplier.",
    }
    # Type names each target accepts: PostgreSQL has no `double`, Spark no `double
    # precision` (docs/postgres.md, docs/spark.md). dbt renders seed properties with the
    # target but without macros, so this cannot call type_double().
    types = {"sort_order": "integer", "is_positive": "boolean", "is_long_term": "boolean",
             "units_per_week": DOUBLE_IN_YAML, "uses_planned_units": "boolean"}
    doc = {"version": 2, "seeds": [{
        "name": "export_codes",
        "description": "Every code list of the export contract, one row per code.",
        "config": {"column_types": {k: v for k, v in types.items()}},
        "columns": [{"name": c, "description": d} for c, d in descriptions.items()],
    }]}
    return GENERATED + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110)


def contract_markdown(contract: Contract) -> str:
    lines = [
        "<!-- Generated from threec/contract.yaml by `threec contract render`: do not edit. -->",
        f"# The case-system export contract (version {contract.version})",
        "",
        "What threec accepts from a council's case-management system, exactly. The rules below "
        "are enforced at ingest: a row that breaks one is quarantined (`dq.quarantine`) with file, "
        "row number, column and reason; the rest of its file loads. See `docs/ingest.md` for the "
        "delivery rules (folders, manifest, CSV dialect, deltas).",
        "",
        "Booleans: " + ", ".join(f"`{v}`" for v in contract.delivery["boolean_true"]) + " are true; "
        + ", ".join(f"`{v}`" for v in contract.delivery["boolean_false"]) + " are false. "
        "Dates are `YYYY-MM-DD`; timestamps ISO 8601 with optional fraction and offset (no offset = UK local time). "
        "Empty string means null. Codes match exactly, case included.",
        "",
    ]
    for entity in contract.entities.values():
        lines += [f"## {entity.name} (id: `{entity.id_column}`)", "", entity.description, "",
                  "| column | type | required | rule | stored in the warehouse as | meaning |",
                  "|---|---|---|---|---|---|"]
        for col in entity.columns:
            typ = f"code ({col.code_list})" if col.type == "code" else col.type
            stored = f"`{col.warehouse_name}` ({col.warehouse_type.lower()})"
            req = "yes" if col.required else ("when…" if "required_when" in col.rules else "no")
            lines.append(f"| `{col.name}` | {typ} | {req} | {_rule_text(col)} | {stored} | {col.description} |")
        lines.append("")
    lines += ["## Code lists", ""]
    for list_name, codes in contract.code_lists.items():
        lines += [f"### {list_name}", "", "| code | meaning |", "|---|---|"]
        for code in codes:
            extra = ", ".join(f"{k}: {v}" for k, v in code.extra.items())
            lines.append(f"| `{code.code}` | {code.label}{f' ({extra})' if extra else ''} |")
        lines.append("")
    return "\n".join(lines)


def rendered_files(root: Path) -> dict[Path, str]:
    from threec.returns.docs import cld_mapping_markdown

    contract = load_contract()
    return {
        root / "dbt_project/models/staging/_sources.yml": sources_yaml(contract),
        root / "dbt_project/seeds/export_codes.csv": codes_csv(contract),
        root / "dbt_project/seeds/_seeds.yml": seeds_yaml(),
        root / "docs/contract.md": contract_markdown(contract),
        root / "docs/returns/cld-mapping.md": cld_mapping_markdown(root),
    }


def render(root: Path) -> list[Path]:
    written = []
    for path, text in rendered_files(root).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text("utf-8") != text:
            path.write_text(text, "utf-8")
            written.append(path)
    return written


def stale(root: Path) -> list[Path]:
    return [p for p, text in rendered_files(root).items()
            if not p.exists() or p.read_text("utf-8") != text]
