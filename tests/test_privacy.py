"""Privacy reductions at ingest: NHS-number check and pseudonym, postcode district,
the meaningful-note rule of the metrics spec (14 vs 15 characters, placeholders)."""

from __future__ import annotations

import random

import duckdb
import pytest

from threec.privacy import (
    nhs_check_digit_ok, nhs_valid_sql, note_meaningful_sql, postcode_district_sql, postcode_valid_sql, pseudonym,
    pseudonym_sql,
)

PLACEHOLDERS = ['n/a', 'na', 'none', 'nil', '-', 'tbc', 'see notes', 'see case notes', 'as above', 'escalated',
                'escalated to c3', 'moved to c3', 'c3', 'needs c3']


def _eval(expr: str, value: str | None):
    return duckdb.execute(f"select {expr} from (select $1::varchar as v)", [value]).fetchall()[0][0]


@pytest.mark.parametrize("nhs,ok", [("9434765919", True), ("943 476 5919", True), ("9434765918", False),
                                    ("4010232137", True), ("123456789", False), ("12345678901", False),
                                    ("943476591X", False), ("0000000000", True)])
def test_nhs_modulus_11(nhs, ok):
    assert nhs_check_digit_ok(nhs) is ok
    assert _eval(nhs_valid_sql("v"), nhs) is ok


def test_sql_and_python_agree_on_many_numbers_and_check_digit_10_is_never_valid():
    rnd = random.Random(7)
    numbers = [f"{rnd.randrange(10**9):09d}{d}" for d in range(10) for _ in range(40)]
    con = duckdb.connect()
    got = dict(con.execute(f"select v, {nhs_valid_sql('v')} from unnest(?::varchar[]) t(v)", [numbers]).fetchall())
    assert got == {n: nhs_check_digit_ok(n) for n in numbers}
    assert any(got.values()) and not all(got.values())


def test_pseudonym_is_keyed_hmac_sha256():
    key = "k" * 40
    assert _eval(pseudonym_sql("v", key), "943 476 5919") == pseudonym("9434765919", key)
    assert pseudonym("9434765919", key) != pseudonym("9434765919", "j" * 40)
    assert len(pseudonym("9434765919", "x" * 100)) == 64


@pytest.mark.parametrize("postcode,district", [("SW1A 1AA", "SW1A"), ("ls1 4ap", "LS1"), ("M1 1AE", "M1"),
                                               ("B33 8TH", "B33"), ("CR2 6XH", "CR2"), ("DN551PT", "DN55")])
def test_postcode_district(postcode, district):
    assert _eval(postcode_valid_sql("v"), postcode) is True
    assert _eval(postcode_district_sql("v"), postcode) == district


@pytest.mark.parametrize("postcode", ["12345", "SW1A", "SW1A 1A", "not a postcode", "1AA 1AA"])
def test_bad_postcodes(postcode):
    assert _eval(postcode_valid_sql("v"), postcode) is False


@pytest.mark.parametrize("note,meaningful", [
    (None, None),
    ("a" * 14, False),                       # 14 characters: too short
    ("a" * 15, True),                        # 15 characters: enough
    ("   " + "a" * 14 + " \t\n", False),     # surrounding whitespace does not count
    ("  " + "a" * 15 + "  ", True),
    ("Escalated to C3", False),              # 15 characters but a placeholder
    ("Escalated to C3.", False),             # punctuation around a placeholder
    ("...ESCALATED TO c3!!!", False),        # case ignored
    ("  see case notes  ...", False),
    ("Moved to C3 -- ", False),
    ("escalated to c3 because", True),       # more than the placeholder
    ("Needs C3 now, family cannot cope", True),
    ("n/a n/a n/a n/a n/a", True),           # not the placeholder itself
])
def test_meaningful_note(note, meaningful):
    assert _eval(note_meaningful_sql("v", 15, PLACEHOLDERS), note) is meaningful


def test_note_settings_are_used():
    assert _eval(note_meaningful_sql("v", 5, ["hello"]), "hello") is False
    assert _eval(note_meaningful_sql("v", 5, ["hello"]), "howdy") is True
    assert _eval(note_meaningful_sql("v", 6, ["hello"]), "howdy") is False
