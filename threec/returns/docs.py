"""docs/returns/cld-mapping.md, written from the CLD seeds by `threec contract render`, so
the documented mapping is always the one the returns use."""

from __future__ import annotations

import csv
from pathlib import Path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def cld_mapping_markdown(root: Path) -> str:
    seeds = root / "dbt_project/seeds/cld"
    out = ["# Client Level Data: fields and mapping (generated)", "",
           "Written by `threec contract render` from the seeds in `dbt_project/seeds/cld/`; edit the seeds, "
           "not this page. How the events are chosen is in [cld.md](cld.md).", "",
           "## Fields, in the file's order", "",
           "| # | field | module | rows | requirement | defined list | threec fills it from |",
           "|---|---|---|---|---|---|---|"]
    for f in _rows(seeds / "cld_fields.csv"):
        listed = f"`cld_list_{f['defined_list']}`" if f["defined_list"] else ""
        out.append(f"| {f['field_order']} | `{f['field']}` | {f['module']} | {f['applies_to']} | "
                   f"{f['requirement'].replace('_', ' ')} | {listed} | {f['threec_source']} |")
    out += ["", "## Export codes to defined values", "",
            "Every code of each export list maps to exactly one defined value of each field it feeds "
            "(dbt test `cld_every_export_code_maps_once`), and every value written is in the field's "
            "defined list (`cld_mapped_values_are_defined`).", ""]
    current = None
    for m in _rows(seeds / "cld_code_map.csv"):
        key = (m["code_list"], m["cld_field"])
        if key != current:
            current = key
            out += ["", f"### `{m['code_list']}` → `{m['cld_field']}`", "",
                    "| export code | CLD value | reason |", "|---|---|---|"]
        out.append(f"| `{m['code']}` | {m['cld_value']} | {m['reason']} |")
    out += ["", "## Values derived from more than one column", "",
            "| rule | situation | field | CLD value | reason |", "|---|---|---|---|---|"]
    for d in _rows(seeds / "cld_derived_values.csv"):
        out.append(f"| {d['rule']} | {d['situation']} | `{d['cld_field']}` | {d['cld_value']} | {d['reason']} |")
    out += ["", "## Defined lists", ""]
    for path in sorted(seeds.glob("cld_list_*.csv")):
        values = [r["value"] for r in _rows(path)]
        out.append(f"- `{path.stem}`: " + "; ".join(values))
    return "\n".join(out) + "\n"
