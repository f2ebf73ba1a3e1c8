"""Finding compliments in a customer's words, and which agent they are about (pure functions).

Precision matters more than recall: a kudos that was really sarcasm, politeness ("thanks in
advance") or a complaint ("not very helpful") would embarrass the agent it names. So a sentence
counts only when it holds real praise, no negation just before it, no complaint or sarcasm in it,
and no wish ("it would be great if…").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

MAX_CHARS = 20_000
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'"})
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_PRAISE = re.compile(
    r"\b(?:"
    r"(?:so|really|very|super|incredibly|extremely|truly|most)\s+"
    r"(?:helpful|kind|patient|friendly|responsive|professional|lovely|understanding|quick|fast)"
    r"|(?:amazing|fantastic|brilliant|wonderful|excellent|superb|outstanding|exceptional|great"
    r"|awesome|stellar|first[- ]class|top[- ]notch)\s+(?:service|job|work|help|support|team)"
    r"|(?:was|were|has been|have been|is|are)\s+(?:absolutely\s+|just\s+|truly\s+)?"
    r"(?:amazing|fantastic|brilliant|wonderful|excellent|superb|outstanding|a star|a gem"
    r"|a lifesaver|a legend|great|so helpful|incredibly helpful|very helpful|really helpful)"
    r"|above and beyond|went the extra mile|a credit to|a real star|lifesaver"
    r"|can(?:not|'t) thank (?:you|\w+) enough|made my day|kudos to|shout[- ]?out to"
    r"|(?:really|truly|so|greatly) appreciated?|deserves? a (?:raise|medal|promotion|pay rise)"
    r"|(?:very|really|so) impressed|thank (?:you|\w+) so much for"
    r"|so (?:quickly|fast|promptly)|couldn't have asked for (?:better|more)"
    r")\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(?:not|never|no|hardly|barely|n't|less than|far from|anything but)\b|n't\b", re.IGNORECASE
)
_SPOILERS = re.compile(
    r"\b(?:thanks for nothing|yeah right|oh great|oh wonderful|great,\s+(?:another|now|so)|"
    r"worst|useless|unhelpful|rude|terrible|awful|disappointed|disappointing|ridiculous|"
    r"still (?:waiting|not|broken|nothing)|sarcas\w*|supposed to|would be|if (?:you|someone|"
    r"anyone)|hopefully|complaint|unacceptable)\b",
    re.IGNORECASE,
)
_BUT = re.compile(r"\b(?:but|however|although|though)\b", re.IGNORECASE)
# Words that point at the person who helped without naming them.
_REFERENCE = re.compile(
    r"\b(?:you|your colleague|the (?:lady|man|guy|gentleman|agent|woman|chap|person|young man"
    r"|young woman|advisor|adviser|rep)|she|he)\b",
    re.IGNORECASE,
)
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "mx", "prof"})


@dataclass(frozen=True)
class Compliment:
    """One praising sentence: its words, where it is, and the agent it is about (or None)."""

    quote: str
    start: int
    end: int
    agent: str | None


def find_compliments(
    text: str, agent_names: Sequence[str] = (), *, helper: str | None = None
) -> list[Compliment]:
    """The compliments in `text`; `agent` is the name from `agent_names` the sentence uses, or
    `helper` (the agent on the conversation) when the sentence says "you", "the lady" and so on."""
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    text = text[:MAX_CHARS].translate(_QUOTES)
    names = _name_patterns(agent_names)
    found = []
    for match in _SENTENCE.finditer(text):
        sentence = match.group(0)
        if not is_praise(sentence):
            continue
        agent = _named(sentence, names)
        if agent is None and helper and _REFERENCE.search(sentence):
            agent = helper
        start = match.start() + len(sentence) - len(sentence.lstrip())
        quote = sentence.strip()
        found.append(Compliment(quote, start, start + len(quote), agent))
    return found


def has_praise(text: str) -> bool:
    """A quick first look: could this message hold a compliment at all?"""
    return _PRAISE.search(text[:MAX_CHARS].translate(_QUOTES)) is not None


def is_praise(sentence: str) -> bool:
    praise = _PRAISE.search(sentence)
    if praise is None or _SPOILERS.search(sentence):
        return False
    if _BUT.search(sentence, praise.end()):  # "great service, but it is still broken"
        return False
    before = sentence[max(0, praise.start() - 25) : praise.start()]
    return _NEGATION.search(before) is None and _NEGATION.search(praise.group(0)) is None


def _name_patterns(agent_names: Sequence[str]) -> list[tuple[str, re.Pattern]]:
    """(display name, pattern) per agent: the full name, or the first name alone, capitalised."""
    patterns = []
    for name in agent_names:
        words = [w for w in name.split() if w.lower().strip(".") not in _TITLES]
        if not words:
            continue
        alternatives = [re.escape(" ".join(words)), re.escape(words[0])]
        patterns.append((name, re.compile(r"\b(?:" + "|".join(alternatives) + r")\b")))
    return patterns


def _named(sentence: str, names: list[tuple[str, re.Pattern]]) -> str | None:
    hits = [(m.start(), name) for name, pattern in names if (m := pattern.search(sentence))]
    return min(hits)[1] if hits else None
