"""Explainable text similarity between an incident and a message: TF-IDF over word sets.

An incident's profile is its most telling words (weighted by how often its own texts use them
and how rare they are in recent mail); a message scores by the cosine of its words against that
profile, and the shared words are the explanation the agent sees.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

PROFILE_TERMS = 80
MIN_SHARED = 2
THRESHOLD = 0.2
_WORD = re.compile(r"[^\W\d_]{3,}")
STOP = frozenset(
    """about above after again against all also and any are aren because been before being
    below between both but can cannot could did didn does doesn doing don down during each few
    for from further had has hasn have haven having her here hers herself him himself his how
    into isn its itself just let more most mustn myself nor not now off once only other ought
    our ours ourselves out over own same shan she should shouldn some such than that the their
    theirs them themselves then there these they this those through too under until very was
    wasn were weren what when where which while who whom why will with won would wouldn you
    your yours yourself yourselves hello dear thanks thank please regards best kind sorry hope
    today yesterday tomorrow still again already really get got getting know need want like
    one two also since just ever even much many well since yet via per anyone someone
    something anything nothing everything way time times day days week weeks help support
    team message email mail sent send hi hey ok okay yes let us we me my i am it is""".split()
)


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def stem(word: str) -> str:
    """A light stem so that 'payments' meets 'payment' and 'failing' meets 'failed'."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4 and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def words(text: str) -> dict[str, str]:
    """{stem: the word as written}, without stop words."""
    found: dict[str, str] = {}
    for word in _WORD.findall(fold(text or "")):
        if word not in STOP:
            found.setdefault(stem(word), word)
    return found


def terms(text: str) -> set[str]:
    return set(words(text))


def build_profile(texts: Iterable[str], background: list[str]) -> dict:
    """The incident's telling words: {"terms": {word: [weight, idf]}, "norm", "default_idf"}."""
    df = Counter(t for doc in background for t in terms(doc))
    n = len(background)

    def idf(term: str) -> float:
        return math.log((n + 1) / (df[term] + 1)) + 1

    counts = Counter(t for text in texts for t in terms(text))
    weighted = {t: (1 + math.log(c)) * idf(t) for t, c in counts.items()}
    top = sorted(weighted.items(), key=lambda item: (-item[1], item[0]))[:PROFILE_TERMS]
    profile_terms = {t: [round(w, 4), round(idf(t), 4)] for t, w in top}
    norm = math.sqrt(sum(w * w for w, _ in profile_terms.values())) or 1.0
    return {"terms": profile_terms, "norm": round(norm, 4), "default_idf": math.log(n + 1) + 1}


def score(profile: dict, text: str) -> tuple[float, list[str]]:
    """Cosine of the message's words (weighted by rarity) against the profile, and the shared
    words from most to least telling; (0, []) below MIN_SHARED shared words."""
    known = profile.get("terms") or {}
    written = words(text)
    shared = written.keys() & known.keys()
    if len(shared) < MIN_SHARED:
        return 0.0, []
    default = profile.get("default_idf", 1.0)
    dot = sum(known[t][0] * known[t][1] for t in shared)
    length = math.sqrt(sum((known[t][1] if t in known else default) ** 2 for t in written))
    cosine = dot / (profile.get("norm", 1.0) * length) if length else 0.0
    explained = sorted(shared, key=lambda t: (-known[t][0] * known[t][1], t))
    return round(cosine, 4), [written[t] for t in explained]
