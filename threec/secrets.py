"""The two secrets threec needs (THREEC_PSEUDONYM_KEY, THREEC_VAULT_KEY): required outside
the demo, and refused when they are too weak to keep the data safe.

A pseudonym is HMAC-SHA-256 of an NHS number, and NHS numbers are few (under 10^9 valid
ones): whoever knows the key can pseudonymise every possible number and reverse them all.
So the key must be long and random, not a word, a pattern or the demo's published key.
Messages name the variable and the rule broken, never the value."""

from __future__ import annotations

from threec.errors import ConfigError

MIN_KEY_LENGTH = 32
# A random key of 32+ characters from any usual alphabet (hex, base64, words and digits)
# has far more distinct characters than this; fewer means a pattern or a repeated word.
MIN_DISTINCT_CHARACTERS = 8
# A key that is one short piece repeated ("abcd1234abcd1234...") is as weak as the piece.
MAX_REPEATED_PIECE = 16
HOW_TO_MAKE_ONE = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


def _repeated_piece(key: str) -> int | None:
    """Length of the shortest piece that, repeated, makes ``key`` (None if none <= MAX)."""
    for size in range(1, min(MAX_REPEATED_PIECE, len(key) // 2) + 1):
        piece = key[:size]
        if (piece * (len(key) // size + 1))[:len(key)] == key:
            return size
    return None


def key_weakness(key: str, demo_keys: tuple[str, ...] = ()) -> str | None:
    """Why ``key`` is too weak for real data, or None when it is acceptable."""
    if len(key) < MIN_KEY_LENGTH:
        return f"it is shorter than {MIN_KEY_LENGTH} characters"
    if key != key.strip():
        return "it starts or ends with white space (a copy-and-paste slip)"
    if key in demo_keys or "not-for-real" in key.lower():
        return "it is the demo key, which is published with threec"
    if len(set(key)) < MIN_DISTINCT_CHARACTERS:
        return f"it has fewer than {MIN_DISTINCT_CHARACTERS} different characters"
    piece = _repeated_piece(key)
    if piece is not None:
        return f"it is a piece of {piece} character(s) repeated"
    return None


def checked_key(name: str, value: str | None, *, demo: bool, demo_key: str, purpose: str,
                demo_keys: tuple[str, ...] = ()) -> str:
    """The secret to use for the variable ``name``.

    Unset: ``demo_key`` in demo mode, otherwise ConfigError. Set: returned when strong
    enough, otherwise ConfigError saying which rule it breaks (never the value). Outside
    demo mode neither ``demo_key`` nor any of ``demo_keys`` is accepted. ``purpose`` ends
    the "not set" message, e.g. "it keys the NHS-number pseudonyms"."""
    if not value:
        if demo:
            return demo_key
        raise ConfigError(
            f"{name} is not set. Set it to a random secret of at least {MIN_KEY_LENGTH} characters "
            f"({purpose}), for example from `{HOW_TO_MAKE_ONE}`, or set THREEC_DEMO=1 to run the built-in "
            "demo council with a demo key.")
    if demo and value == demo_key:
        return value
    why = key_weakness(value, (demo_key, *demo_keys))
    if why:
        raise ConfigError(f"{name} is too weak: {why}. Use a random secret of at least {MIN_KEY_LENGTH} "
                          f"characters, for example from `{HOW_TO_MAKE_ONE}`.")
    return value
