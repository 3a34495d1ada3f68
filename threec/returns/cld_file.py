"""The Client Level Data file: the warehouse's events joined, in memory only, to the
identifiers in the identity vault, written as one CSV with the specification's field names."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from threec.config import Settings
from threec.errors import ThreecError
from threec.privacy import sql_str
from threec.safe_text import neutralise_formula_sql
from threec.validation import q
from threec.vault import open_vault


@dataclass(frozen=True)
class Field:
    order: int
    name: str
    module: str
    applies_to: str
    requirement: str
    defined_list: str | None
    source: str


def load_fields(con: duckdb.DuckDBPyConnection, catalog: str = "wh") -> list[Field]:
    """The file layout and per-field rules, from seed cld_fields (the one declaration)."""
    rows = con.execute(f"""select field_order, field, module, applies_to, requirement,
                                  nullif(defined_list, ''), threec_source
                           from {catalog}.seeds.cld_fields order by field_order""").fetchall()
    return [Field(*row) for row in rows]


def build_cld_table(settings: Settings, con: duckdb.DuckDBPyConnection) -> list[Field]:
    """Create table ``cld`` in the in-memory connection ``con`` (which has the warehouse
    attached read-only as ``wh``): every CLD column, in the specification's order."""
    fields = load_fields(con)
    with open_vault(settings.vault_path, settings.vault_key) as vault:
        identifiers = vault.identifiers("people")
    con.register("vault_people", identifiers)
    try:
        event_columns = {name.lower(): name for (name,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_catalog = 'wh' and table_schema = 'returns' and table_name = 'fct_cld_events'").fetchall()}
        select = []
        for f in fields:
            if f.name == "NHS_Number":
                select.append(f"v.nhs_number as {q(f.name)}")
            elif f.name == "Postcode":
                select.append(f"v.postcode as {q(f.name)}")
            elif f.name.lower() in event_columns:
                select.append(f"e.{q(event_columns[f.name.lower()])} as {q(f.name)}")
            else:
                raise ThreecError(f"returns.fct_cld_events has no column {f.name} that seed cld_fields lists")
        con.execute(f"""create or replace temp table cld as
            select {', '.join(select)}
            from wh.returns.fct_cld_events as e
            left join vault_people as v
                on v.delivery_id = e.person_delivery_id and v.row_number = e.person_row_number""")
    finally:
        con.unregister("vault_people")
    return fields


def write_cld_csv(con: duckdb.DuckDBPyConnection, fields: list[Field], path: Path) -> None:
    types = dict(con.execute("select column_name, data_type from information_schema.columns "
                             "where table_name = 'cld'").fetchall())
    cols = []
    for f in fields:
        c = q(f.name)
        cols.append(f"{neutralise_formula_sql(c)} as {c}" if types.get(f.name) == "VARCHAR" else c)
    order = "order by LA_Person_Unique_Identifier, Event_Start_Date, Event_Reference"
    con.execute(f"copy (select {', '.join(cols)} from cld {order}) to {sql_str(str(path))} "
                "(format csv, header true, delimiter ',', quote '\"', dateformat '%Y-%m-%d')")
