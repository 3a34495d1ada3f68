"""Typed access to the export contract held in ``contract.yaml``.

Everything that needs the contract (ingest, the dbt source and seed renderer, the docs
page, the synthetic council) reads it through this module, so the rules live once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from importlib import resources
from typing import Any

import yaml

# How each contract type is held in raw.<entity>. Personal types are replaced by the
# column named in `stored_as`, with the type given here.
WAREHOUSE_TYPES = {
    "text": "VARCHAR",
    "code": "VARCHAR",
    "date": "DATE",
    "timestamp": "TIMESTAMP",  # UTC, converted from UK local time or the given offset
    "boolean": "BOOLEAN",
    "decimal": "DOUBLE",
    "integer": "BIGINT",
    "nhs_number": "VARCHAR",  # keyed pseudonym
    "postcode": "VARCHAR",  # postcode district
    "note": "BOOLEAN",  # meaningful-explanation flag
}


@dataclass(frozen=True)
class Code:
    code: str
    label: str
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str = ""
    required: bool = False
    code_list: str | None = None
    personal: bool = False
    stored_as: str | None = None
    default: Any = None
    rules: dict[str, Any] = field(default_factory=dict)

    @property
    def warehouse_name(self) -> str:
        return self.stored_as or self.name

    @property
    def warehouse_type(self) -> str:
        return WAREHOUSE_TYPES[self.type]


@dataclass(frozen=True)
class Entity:
    name: str
    id_column: str
    description: str
    columns: tuple[Column, ...]

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


@dataclass(frozen=True)
class Contract:
    version: int
    delivery: dict[str, Any]
    code_lists: dict[str, tuple[Code, ...]]
    entities: dict[str, Entity]
    load_columns: tuple[Column, ...]

    def codes(self, code_list: str) -> list[str]:
        return [c.code for c in self.code_lists[code_list]]

    def positive_outcomes(self) -> list[str]:
        return [c.code for c in self.code_lists["outcome"] if c.extra.get("positive")]

    def long_term_service_types(self) -> list[str]:
        return [c.code for c in self.code_lists["service_type"] if c.extra.get("long_term")]


_COLUMN_KEYS = {"name", "type", "description", "required", "code_list", "personal", "stored_as", "default"}
RULE_KEYS = {"max_length", "min", "min_exclusive", "not_after_extract_date", "max_years_before_extract",
             "not_before", "required_when", "null_when"}


def _column(spec: dict[str, Any]) -> Column:
    return Column(
        name=spec["name"],
        type=spec["type"],
        description=spec.get("description", ""),
        required=bool(spec.get("required", False)),
        code_list=spec.get("code_list"),
        personal=bool(spec.get("personal", False)),
        stored_as=spec.get("stored_as"),
        default=spec.get("default"),
        rules={k: v for k, v in spec.items() if k not in _COLUMN_KEYS},
    )


def units_per_week(spec: str | None) -> float | None:
    """'12/52' -> 0.2307...; 'planned' and None (one-off) have no fixed multiplier."""
    if spec is None or spec == "planned":
        return None
    return float(Fraction(spec))


@cache
def load_contract() -> Contract:
    raw = yaml.safe_load(resources.files("threec").joinpath("contract.yaml").read_text("utf-8"))
    common = tuple(_column(c) for c in raw["common_columns"])
    code_lists = {
        name: tuple(
            Code(code=str(item["code"]), label=str(item["label"]),
                 extra={k: v for k, v in item.items() if k not in ("code", "label")})
            for item in items
        )
        for name, items in raw["code_lists"].items()
    }
    entities = {
        name: Entity(
            name=name,
            id_column=spec["id"],
            description=spec["description"],
            columns=tuple(_column(c) for c in spec["columns"]) + common,
        )
        for name, spec in raw["entities"].items()
    }
    for entity in entities.values():
        for col in entity.columns:
            unknown = set(col.rules) - RULE_KEYS
            if unknown:
                raise ValueError(f"contract: {entity.name}.{col.name} has unknown keys {sorted(unknown)}")
            if col.type == "code" and col.code_list not in code_lists:
                raise ValueError(f"contract: {entity.name}.{col.name} names unknown code list {col.code_list!r}")
            if col.type not in WAREHOUSE_TYPES:
                raise ValueError(f"contract: {entity.name}.{col.name} has unknown type {col.type!r}")
    return Contract(
        version=raw["version"],
        delivery=raw["delivery"],
        code_lists=code_lists,
        entities=entities,
        load_columns=tuple(_column(c) for c in raw["load_columns"]),
    )
