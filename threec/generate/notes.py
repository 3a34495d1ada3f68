"""Escalation notes as a worker might type them.

Three pools, all held in one tuple NOTES so a conversation stores a note as an index:

- meaningful: a real explanation (at least 15 characters once trimmed, not a
  placeholder); many name a relative or neighbour (fake names: personal data the
  pipeline must drop), some hold commas and line breaks;
- short: genuine words but under 15 characters;
- placeholder: the stock phrases the metrics spec treats as no explanation, written
  with stray punctuation, case and spaces.
"""

from __future__ import annotations

import string

FIRST_NAMES = (
    "Margaret", "Derek", "Pauline", "Trevor", "Shirley", "Keith", "Brenda", "Colin",
    "Janet", "Malcolm", "Sandra", "Graham", "Doreen", "Clive", "Yvonne", "Rajesh",
    "Nasreen", "Tomasz", "Abena", "Declan", "Hyacinth", "Imran", "Agnieszka", "Winston",
)
SURNAMES = (
    "Hollis", "Ashworth", "Pennington", "Okafor", "Bradshaw", "Kowalczyk", "Mistry",
    "Fairclough", "Osei", "Whitlock", "Ramsbottom", "Dunmore", "Achterberg", "Quigley",
)
RELATIONS = ("daughter", "son", "husband", "wife", "neighbour", "niece", "brother", "friend")

_WITH_NAMES = (
    "Spoke with {rel} {first} {last}: can no longer manage personal care twice a day, long-term support needed.",
    "{rel} {first} is moving away next month; informal care ends, so needs a support plan.",
    "Falls x3 since discharge. {first} {last} (GP) agrees home care is needed long term.",
    "Carer breakdown - {rel} {first} admitted to hospital, no other family nearby.",
    "Mr {last} declined day centre options; wants a personal budget to employ a PA.",
    "Mrs {last}'s dementia has progressed, {rel} reports wandering at night.\nHuddle agreed C3.",
    "Community options tried (Age UK befriending, lunch club with {first}) but needs exceed them.",
    "Safeguarding concern raised by {rel} {first} {last}; needs assessed and planned support.",
    "Discussed at huddle with {first} {last}, agreed options in C1 exhausted, person wants DP.",
    "{first} says what matters is staying at home; needs daily help with meals, medication, washing.",
)
_WITHOUT_NAMES = (
    "Long-term need clear after OT visit: cannot transfer safely without two carers.",
    "Tried equipment and reablement, still needs help with all personal care.",
    "Person asked for a direct payment to keep their own carer; C1 options exhausted.",
    "Crisis plan not appropriate, needs are stable but long term.",
    "Learning disability, transition from children's services, needs supported living.",
    "Deteriorating mobility, two falls this month, family cannot provide care.",
    "Needs overnight support; no community alternative found after three weeks.",
    "Reablement ended with no improvement, ongoing home care required.",
)
SHORT = (
    "LT need", "see file", "as discussed", "urgent", "phoned dtr", "per TM", "ok", "needs care",
)
PLACEHOLDER = (
    "N/A.", "Escalated to C3!", " see case notes ", "n/a", "TBC", "-", "As above.",
    "needs C3", "NONE", "Moved to C3.", "nil", "  Escalated  ", "See notes...", "NA", "c3",
)


def _meaningful() -> tuple[str, ...]:
    out: list[str] = list(_WITHOUT_NAMES)
    k = 0
    for template in _WITH_NAMES:
        for i in range(12):
            first = FIRST_NAMES[(k * 7 + i) % len(FIRST_NAMES)]
            last = SURNAMES[(k * 5 + i * 3) % len(SURNAMES)]
            rel = RELATIONS[(k + i) % len(RELATIONS)]
            out.append(template.format(first=first, last=last, rel=rel))
            k += 1
    return tuple(out)


MEANINGFUL = _meaningful()
NOTES: tuple[str, ...] = MEANINGFUL + SHORT + PLACEHOLDER
MEANINGFUL_RANGE = (0, len(MEANINGFUL))
SHORT_RANGE = (len(MEANINGFUL), len(MEANINGFUL) + len(SHORT))
PLACEHOLDER_RANGE = (len(MEANINGFUL) + len(SHORT), len(NOTES))

# The metrics spec's placeholder list (a setting there); used by the generator's own
# checks and by tests that compute the escalation figures from the files.
SPEC_PLACEHOLDERS = frozenset({
    "n/a", "na", "none", "nil", "-", "tbc", "see notes", "see case notes", "as above",
    "escalated", "escalated to c3", "moved to c3", "c3", "needs c3",
})
_PUNCTUATION = string.punctuation


def is_meaningful(note: str | None, min_chars: int = 15) -> bool:
    """The metrics spec's test for a meaningful explanation."""
    if note is None:
        return False
    trimmed = note.strip()
    if len(trimmed) < min_chars:
        return False
    core = trimmed.strip(_PUNCTUATION + " \t\r\n").lower()
    return core not in SPEC_PLACEHOLDERS


def _check_pools() -> None:
    assert all(is_meaningful(n) for n in MEANINGFUL), "a meaningful note fails the rule"
    assert not any(is_meaningful(n) for n in SHORT + PLACEHOLDER), "a weak note passes the rule"


_check_pools()
