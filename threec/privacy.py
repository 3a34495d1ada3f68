"""Privacy at the point of ingest, as SQL expressions DuckDB evaluates set-wise.

NHS numbers become HMAC-SHA-256 pseudonyms keyed with THREEC_PSEUDONYM_KEY, postcodes
their district (outward code), escalation notes the metrics spec's "meaningful" flag.
No personal value is ever put into a message, note or log."""

from __future__ import annotations

import hashlib
import hmac
from typing import Iterable

# Outward code + inward code; spaces are removed before matching.
POSTCODE_PATTERN = r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$|^GIR0AA$"
_EDGE_PUNCT = r"^[[:punct:][:space:]]+|[[:punct:][:space:]]+$"
_EDGE_SPACE = r"^\s+|\s+$"


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def nhs_digits_sql(v: str) -> str:
    return f"replace({v}, ' ', '')"


def nhs_valid_sql(v: str) -> str:
    """Ten digits whose modulus-11 check digit is right (11 -> 0; 10 is never valid)."""
    d = nhs_digits_sql(v)
    weighted = f"list_sum(list_transform(range(9), lambda i: cast(substr({d}, i + 1, 1) as integer) * (10 - i)))"
    check = f"(11 - ({weighted}) % 11) % 11"
    # CASE, not AND: SQL does not promise to skip the casts for a value of the wrong shape.
    return (f"(case when regexp_full_match({d}, '[0-9]{{10}}') "
            f"then {check} = cast(substr({d}, 10, 1) as integer) else false end)")


def nhs_check_digit_ok(nhs: str) -> bool:
    """Python twin of nhs_valid_sql, for the generator and tests."""
    digits = nhs.replace(" ", "")
    if len(digits) != 10 or not digits.isdigit():
        return False
    check = (11 - sum(int(digits[i]) * (10 - i) for i in range(9)) % 11) % 11
    return check != 10 and check == int(digits[9])


def _hmac_pads(key: str) -> tuple[str, str]:
    raw = key.encode("utf-8")
    if len(raw) > 64:
        raw = hashlib.sha256(raw).digest()
    raw = raw.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in raw).hex(), bytes(b ^ 0x5C for b in raw).hex()


def pseudonym_sql(v: str, key: str) -> str:
    """HMAC-SHA-256(key, the 10 digits) as hex, computed in SQL so values never leave DuckDB."""
    ipad, opad = _hmac_pads(key)
    return f"sha256(unhex('{opad}') || unhex(sha256(unhex('{ipad}') || encode({nhs_digits_sql(v)}))))"


def pseudonym(nhs: str, key: str) -> str:
    """Python twin of pseudonym_sql (the identity vault and tests use it)."""
    return hmac.new(key.encode("utf-8"), nhs.replace(" ", "").encode(), hashlib.sha256).hexdigest()


def postcode_norm_sql(v: str) -> str:
    return f"upper(replace({v}, ' ', ''))"


def postcode_valid_sql(v: str) -> str:
    return f"regexp_matches({postcode_norm_sql(v)}, '{POSTCODE_PATTERN}')"


def postcode_district_sql(v: str) -> str:
    n = postcode_norm_sql(v)
    return f"substr({n}, 1, length({n}) - 3)"


def normalise_placeholder(text: str) -> str:
    import re
    return re.sub(r"^[\W_]+|[\W_]+$", "", text.strip()).lower()


def note_meaningful_sql(v: str, min_chars: int, placeholders: Iterable[str]) -> str:
    """Metrics spec, 'Explained': at least ``min_chars`` once whitespace is trimmed, and
    not a placeholder once surrounding punctuation is stripped and case ignored."""
    trimmed = f"regexp_replace({v}, '{_EDGE_SPACE}', '', 'g')"
    bare = f"lower(regexp_replace({v}, '{_EDGE_PUNCT}', '', 'g'))"
    norm = sorted({normalise_placeholder(p) for p in placeholders})
    listed = ", ".join(sql_str(p) for p in norm) or "NULL"
    return (f"case when {v} is null then null "
            f"else length({trimmed}) >= {int(min_chars)} and {bare} not in ({listed}) end")
