"""Identifiers: NHS numbers (modulus 11), UK-shaped postcodes, record ids.

NHS numbers are built in a range no English patient is issued (first digit 9), so a
synthetic number can never be a real person's.
"""

from __future__ import annotations

import numpy as np

from .council import INWARD_LETTERS, POSTCODE_AREA

NHS_WEIGHTS = np.arange(10, 1, -1, dtype=np.int64)  # weights 10..2 for the first nine digits
_NHS_CAPACITY = 10_000_000  # distinct numbers per leading digit
_NHS_STRIDE = 3_891_233  # odd and not a multiple of 5: a bijection on 0.._NHS_CAPACITY-1


def nhs_check_digit(first_nine: np.ndarray) -> np.ndarray:
    """Modulus-11 check digit of 9-digit integers; 10 means no valid number exists."""
    digits = (first_nine[:, None] // 10 ** np.arange(8, -1, -1, dtype=np.int64)) % 10
    remainder = (digits * NHS_WEIGHTS).sum(axis=1) % 11
    check = 11 - remainder
    return np.where(check == 11, 0, check)


def is_valid_nhs_number(text: str) -> bool:
    """True when `text` (spaces allowed) is ten digits with a valid check digit."""
    digits = text.replace(" ", "")
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def nhs_numbers(index: np.ndarray) -> np.ndarray:
    """A distinct valid NHS number (as int64) for each non-negative integer index."""
    index = np.asarray(index, dtype=np.int64)
    lead = 9 - (index // _NHS_CAPACITY) % 2  # 9, then 8 past ten million people
    body = (index % _NHS_CAPACITY * _NHS_STRIDE + 5_003_101) % _NHS_CAPACITY  # 7 digits
    first_eight = lead * 10_000_000 + body
    nine = first_eight * 10
    check = nhs_check_digit(nine)
    # changing the ninth digit from 0 to 1 moves the weighted sum by 2 (mod 11), so at
    # most one of the two candidates has no valid check digit
    bad = check == 10
    nine = np.where(bad, nine + 1, nine)
    check = np.where(bad, nhs_check_digit(nine), check)
    return nine * 10 + check


def corrupt_check_digit(number: int) -> int:
    """The same number with a check digit that is certainly wrong."""
    return number - number % 10 + (number % 10 + 3) % 10


def render_nhs(numbers: np.ndarray, spaced: np.ndarray) -> np.ndarray:
    """'9991234567' or '999 123 4567'; -1 renders as empty."""
    text = numbers.astype("U10")
    spaced_text = np.strings.add(
        np.strings.add(np.strings.add(np.strings.slice(text, 0, 3), " "),
                       np.strings.add(np.strings.slice(text, 3, 6), " ")),
        np.strings.slice(text, 6, 10))
    out = np.where(spaced, spaced_text, text)
    return np.where(numbers < 0, "", out)


def render_postcodes(district: np.ndarray, sector: np.ndarray, unit: np.ndarray) -> np.ndarray:
    """'FW3 7NQ' from district number, sector digit and a unit index (0..399); district 0 = none."""
    letters = np.array(list(INWARD_LETTERS))
    n = len(INWARD_LETTERS)
    first = letters[unit // n % n]
    second = letters[unit % n]
    out = np.strings.add(np.strings.add(POSTCODE_AREA, district.astype("U2")), " ")
    out = np.strings.add(np.strings.add(out, sector.astype("U1")), np.strings.add(first, second))
    return np.where(district <= 0, "", out)


def render_ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """prefix + zero-padded number; negative numbers render as empty."""
    text = np.strings.zfill(np.maximum(numbers, 0).astype(f"U{width + 2}"), width)
    return np.where(numbers < 0, "", np.strings.add(prefix, text))
