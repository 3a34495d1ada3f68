"""The pseudonym key (and, through the same check, the vault key) is required outside the
demo and refused when weak; no message ever repeats it."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest

from threec.config import DEMO_PSEUDONYM_KEY, DEMO_VAULT_KEY, load_settings
from threec.errors import ConfigError
from threec.secrets import checked_key, key_weakness

from helpers import TEST_KEY, TEST_VAULT_KEY

WEAK = [
    ("short-but-random-Xy7", "shorter than 32"),
    ("k" * 40, "fewer than 8 different characters"),
    ("abcdefgh" * 5, "a piece of 8 character(s) repeated"),
    ("0123456789abcdef" * 3, "a piece of 16 character(s) repeated"),
    ("aabbaabbaabbaabbaabbaabbaabbaabbccdd", "fewer than 8 different characters"),
    (DEMO_PSEUDONYM_KEY, "demo key"),
    (DEMO_VAULT_KEY, "demo key"),
    ("my-own-key-based-on-the-NOT-FOR-REAL-one-0002", "demo key"),
    (" " + secrets.token_urlsafe(40), "white space"),
]


@pytest.mark.parametrize("key,why", WEAK, ids=[w for _, w in WEAK])
def test_weak_keys_are_refused_without_repeating_them(key, why):
    assert why in (key_weakness(key, (DEMO_PSEUDONYM_KEY,)) or "")
    with pytest.raises(ConfigError) as refused:
        checked_key("THREEC_PSEUDONYM_KEY", key, demo=False, demo_key=DEMO_PSEUDONYM_KEY, purpose="test",
                    demo_keys=(DEMO_VAULT_KEY,))
    message = str(refused.value)
    assert message.startswith("THREEC_PSEUDONYM_KEY is too weak: ") and why in message
    assert key.strip() not in message


# ids fixed: the random keys differ per xdist worker, and workers must collect the same names
@pytest.mark.parametrize("key", [secrets.token_urlsafe(48), secrets.token_hex(16), TEST_KEY, TEST_VAULT_KEY,
                                 "correct horse battery staple sideways 42"],
                         ids=["urlsafe-48", "hex-16", "test-key", "test-vault-key", "passphrase"])
def test_random_keys_are_accepted(key):
    assert key_weakness(key) is None
    assert checked_key("THREEC_VAULT_KEY", key, demo=False, demo_key=DEMO_VAULT_KEY, purpose="test") == key


def test_an_unset_key_is_the_demo_key_only_in_demo_mode():
    assert checked_key("THREEC_PSEUDONYM_KEY", "", demo=True, demo_key=DEMO_PSEUDONYM_KEY, purpose="p") \
        == DEMO_PSEUDONYM_KEY
    assert checked_key("THREEC_PSEUDONYM_KEY", DEMO_PSEUDONYM_KEY, demo=True, demo_key=DEMO_PSEUDONYM_KEY,
                       purpose="p") == DEMO_PSEUDONYM_KEY
    with pytest.raises(ConfigError, match="THREEC_PSEUDONYM_KEY is not set.*it keys the pseudonyms.*THREEC_DEMO=1"):
        checked_key("THREEC_PSEUDONYM_KEY", None, demo=False, demo_key=DEMO_PSEUDONYM_KEY,
                    purpose="it keys the pseudonyms")


def test_settings_refuse_a_weak_pseudonym_key_outside_the_demo(tmp_path):
    base = {"THREEC_VAULT_KEY": TEST_VAULT_KEY, "THREEC_WAREHOUSE": str(tmp_path / "w.duckdb")}
    with pytest.raises(ConfigError, match="THREEC_PSEUDONYM_KEY is too weak: it is the demo key"):
        load_settings({**base, "THREEC_PSEUDONYM_KEY": DEMO_PSEUDONYM_KEY, "THREEC_DEMO": "0"})
    assert load_settings({**base, "THREEC_PSEUDONYM_KEY": TEST_KEY}).pseudonym_key == TEST_KEY


def test_the_cli_says_which_rule_in_one_line_and_never_the_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("THREEC_")}
    env.update(THREEC_LANDING_DIR=str(tmp_path), THREEC_PSEUDONYM_KEY="x" * 31 + "y",
               THREEC_VAULT_KEY=TEST_VAULT_KEY)
    proc = subprocess.run([sys.executable, "-m", "threec.cli", "run"], env=env, text=True, capture_output=True)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "threec: error: THREEC_PSEUDONYM_KEY is too weak: it has fewer than 8 different characters. Use a random "
        "secret of at least 32 characters, for example from "
        "`python3 -c 'import secrets; print(secrets.token_urlsafe(48))'`."]
    assert "x" * 31 not in proc.stderr + proc.stdout
