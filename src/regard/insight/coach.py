"""Review a reply draft against Regard's service habits and return a checklist of findings.

Advice only: the coach never blocks a reply, it points at the words that could be better.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from regard.insight import phrases
from regard.insight.commitments import (
    CLAUSE_BREAK_RE,
    FIRST_PERSON_RE,
    Promise,
    extract,
    own_words,
    sentences,
)

CHECKS = (
    "greeting", "thanks", "acknowledge", "next_step", "timeline",
    "passive_voice", "defensive", "caps", "generic", "supervisor_first",
)  # fmt: skip
STEPS = {
    "greet": ("greeting",),
    "listen": ("acknowledge", "defensive", "caps"),
    "next_step_timeline": ("next_step", "timeline"),
    "thank": ("thanks",),
    "follow_through": ("passive_voice", "supervisor_first", "generic"),
}
# drafts longer than this are pasted documents, not replies; coach the opening only
MAX_CHARS = 20_000
SIMILAR = 0.85
# only whether a promise has a timeline matters here, so any fixed moment will do
_REFERENCE_TIME = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
_FIRST_PERSON = re.compile(r"\b(?:I|we|let\s+me|let\s+us)\b|\b(?:I|we)['’]", re.IGNORECASE)
_PAST_CONSULT = re.compile(
    r"\b(?:I'?ve|I\s+have|we'?ve|I)\s+(?:already\s+)?(?:spoken|talked|checked|asked|consulted"
    r"|discussed|reported|raised|flagged|informed|notified|told)\b|\bapproved\b|\bsigned\s+off\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Finding:
    """One checklist line: the check, whether the draft passes, where in the draft, and advice."""

    check: str
    ok: bool
    span: tuple[int, int] | None
    advice: str


@dataclass(frozen=True)
class _Draft:
    text: str
    visible: str
    promises: tuple[Promise, ...]
    name: str | None
    message: str | None
    complaint: bool


def review(
    draft: str,
    *,
    customer_name: str | None = None,
    customer_message: str | None = None,
    upset: bool = False,
    recent_replies: Sequence[str] = (),
) -> list[Finding]:
    """Return one Finding per check that applies to this draft, in checklist order."""
    _require_text(draft, "draft")
    _require_text(customer_name, "customer_name", optional=True)
    _require_text(customer_message, "customer_message", optional=True)
    if isinstance(recent_replies, str) or not all(isinstance(r, str) for r in recent_replies):
        raise TypeError("recent_replies must be a sequence of str")
    if not draft.strip():
        return []
    text = draft[:MAX_CHARS]
    visible = own_words(text)
    promises = extract(text, sent_at=_REFERENCE_TIME, tz="UTC")
    complaint = upset or is_complaint(customer_message or "")
    reply = _Draft(text, visible, tuple(promises), customer_name, customer_message, complaint)
    findings = [_greeting(reply)]
    if customer_message and complaint:
        findings.append(_thanks(reply))
    if customer_message:
        findings.append(_acknowledge(reply))
    if complaint or not customer_message:
        findings.extend(_next_step_and_timeline(reply))
    findings += [_passive(reply), _defensive(reply), _caps(reply)]
    if recent_replies:
        findings.append(_generic(reply, recent_replies))
    if upset:
        findings.append(_supervisor_first(reply))
    return findings


def steps(findings: Iterable[Finding]) -> dict[str, float]:
    """Score the five service steps from 0 to 1; a step with no applicable check scores 1."""
    by_check = {finding.check: finding.ok for finding in findings}
    scores = {}
    for step, checks in STEPS.items():
        results = [by_check[check] for check in checks if check in by_check]
        scores[step] = sum(results) / len(results) if results else 1.0
    return scores


def is_complaint(message: str) -> bool:
    """A rough local test for a complaint: any word of trouble in the customer's message."""
    return phrases.COMPLAINT_RE.search(message[:MAX_CHARS]) is not None


def _require_text(value: object, name: str, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str):
        raise TypeError(f"{name} must be str, not {type(value).__name__}")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:['’][a-z]+)?", _fold(text))


def _name_tokens(name: str | None) -> set[str]:
    titles = {"mr", "mrs", "ms", "miss", "dr", "mx", "prof", "sir", "madam"}
    return {word for word in _words(name or "") if len(word) > 1 and word not in titles}


# greeting


def _greeting(reply: _Draft) -> Finding:
    match = phrases.GREETING_RE.search(reply.visible[:400])
    names = _name_tokens(reply.name)
    span = (match.start(), match.end()) if match else None
    if match is None and names and _opens_with_name(reply.visible, names):
        return Finding("greeting", True, None, "Greets the customer by name.")
    if match is None:
        return Finding("greeting", False, None, _greet_advice(reply.name))
    if names and not names & set(_words(match.group("rest"))):
        return Finding("greeting", False, span, _greet_advice(reply.name))
    return Finding("greeting", True, span, "Greets the customer by name.")


def _opens_with_name(text: str, names: set[str]) -> bool:
    # "Maria, thanks…" or a greeting in another language ("Olá Inês,") still greets by name
    return bool(names & set(_words(text.lstrip()[:60])[:3]))


def _greet_advice(name: str | None) -> str:
    first = (name or "").split()[:1]
    if not first:
        return "Open with a greeting."
    return f"Open with a greeting that uses their name, e.g. “Hi {first[0]},”."


# listening


def _thanks(reply: _Draft) -> Finding:
    match = phrases.THANKS_RE.search(reply.visible)
    if match:
        return Finding("thanks", True, match.span(), "Thanks them for raising it.")
    return Finding(
        "thanks", False, None, "Thank them for raising it, e.g. “Thanks for flagging this.”"
    )


def _stem(word: str) -> str:
    word = re.sub(r"['’]s$", "", word)
    for suffix in ("ies", "ing", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]  # dropp(ing) -> drop
    return word


def _content(text: str, ignore: set[str]) -> set[str]:
    skip = phrases.STOPWORDS | phrases.GENERIC_CONTENT
    words = (re.sub(r"['’]", "", word) for word in _words(text))
    return {
        _stem(word)
        for word in words
        if (len(word) > 2 or word.isdigit()) and word not in skip and word not in ignore
    }


def _acknowledge(reply: _Draft) -> Finding:
    wanted = _content(reply.message or "", _name_tokens(reply.name))
    overlap = wanted & _content(reply.visible, _name_tokens(reply.name))
    # one specific word of theirs is enough: a wrong nag costs more trust than a missed one
    if overlap or not wanted:
        return Finding(
            "acknowledge", True, _first_word(reply.visible, overlap), "Names their issue."
        )
    generic = phrases.GENERIC_APOLOGY_RE.search(reply.visible)
    hint = ", ".join(_examples(reply.message or "", wanted - overlap))
    advice = f"Say what went wrong in their words ({hint}) rather than a generic apology."
    return Finding("acknowledge", False, generic.span() if generic else None, advice)


def _examples(message: str, stems: set[str]) -> list[str]:
    seen: dict[str, str] = {}
    for word in _words(message):
        if _stem(word) in stems:
            seen.setdefault(_stem(word), word)
    return list(seen.values())[:3]


def _without_greeting_names(text: str) -> str:
    # recent replies greet other customers; their names must not make replies look different
    match = phrases.GREETING_RE.search(text[:400])
    if match is None:
        return text
    kept = " ".join(w for w in match.group("rest").split() if not w[:1].isupper())
    return f"{text[: match.start()]}{kept} {text[match.end() :]}"


def _first_word(text: str, stems: set[str]) -> tuple[int, int] | None:
    for match in re.finditer(r"[^\W_]+(?:['’][a-z]+)?", text):
        if _stem(_fold(match.group(0))) in stems:
            return match.span()
    return None


# owning the next step


def _next_step_and_timeline(reply: _Draft) -> list[Finding]:
    own = [p for p in reply.promises if _FIRST_PERSON.search(p.text)]
    done = phrases.OWN_ACTION_RE.search(reply.visible)
    doing = phrases.IN_PROGRESS_RE.search(reply.visible)
    if own:
        step = Finding("next_step", True, (own[0].start, own[0].end), "States your next step.")
    elif done or doing:
        step = Finding("next_step", True, (done or doing).span(), "Says what you are doing.")
    else:
        step = Finding("next_step", False, None, "Say what you will do next: “I’ll …”.")
    timed = [p for p in reply.promises if p.has_timeline]
    if timed:
        timeline = Finding("timeline", True, (timed[0].start, timed[0].end), "Gives a time.")
    elif done and not own:
        timeline = Finding("timeline", True, done.span(), "The step is already done.")
    else:
        span = (own[0].start, own[0].end) if own else None
        timeline = Finding("timeline", False, span, "Say when: “by 3pm today”, “by Friday”.")
    return [step, timeline]


def _passive(reply: _Draft) -> Finding:
    match = phrases.PASSIVE_RE.search(reply.visible)
    if match is None:
        return Finding("passive_voice", True, None, "Says who does what.")
    advice = f"“{match.group(0)}” hides who acts; say “I’ll …” and own it."
    return Finding("passive_voice", False, match.span(), advice)


def _defensive(reply: _Draft) -> Finding:
    match = phrases.DEFENSIVE_RE.search(reply.visible)
    if match is None:
        return Finding("defensive", True, None, "No blame or defensiveness.")
    advice = f"“{match.group(0)}” sounds defensive; focus on fixing it for them."
    return Finding("defensive", False, match.span(), advice)


def _caps(reply: _Draft) -> Finding:
    for match in phrases.CAPS_WORD_RE.finditer(reply.visible):
        word = match.group(0).replace("’", "'")
        if word in phrases.ACRONYMS or _is_name(word, reply.name):
            continue
        if len(word) >= 4 or word in phrases.SHOUTED_SHORT:
            advice = f"“{match.group(0)}” reads as shouting; use normal case or bold."
            return Finding("caps", False, match.span(), advice)
    return Finding("caps", True, None, "No shouting.")


def _is_name(word: str, name: str | None) -> bool:
    return _fold(word) in _name_tokens(name)


# templates and escalation


def _generic(reply: _Draft, recent: Sequence[str]) -> Finding:
    mine = _shingles(reply.visible, reply.name)
    best = max(
        (_cosine(mine, _shingles(own_words(old[:MAX_CHARS]), None)) for old in recent), default=0.0
    )
    if best >= SIMILAR:
        advice = f"This is {best:.0%} the same as a recent reply; write it for this customer."
        return Finding("generic", False, (0, len(reply.text)), advice)
    return Finding("generic", True, None, "Written for this customer.")


def _shingles(text: str, name: str | None) -> Counter:
    text = _without_greeting_names(text[:MAX_CHARS])
    names = _name_tokens(name)
    words = [w for w in _words(text) if w not in names and not any(c.isdigit() for c in w)]
    return Counter(words) + Counter(zip(words, words[1:], strict=False))


def _cosine(left: Counter, right: Counter) -> float:
    dot = sum(count * right[key] for key, count in left.items())
    norm = math.sqrt(sum(v * v for v in left.values()) * sum(v * v for v in right.values()))
    return dot / norm if norm else 0.0


def _supervisor_first(reply: _Draft) -> Finding:
    offer = _supervisor_offer(reply.visible)
    if offer is None:
        return Finding("supervisor_first", True, None, "Tries to solve it first.")
    done = phrases.OWN_ACTION_RE.search(reply.visible, 0, offer[0])
    if _tried_first(reply.visible, offer[0]) or done:
        return Finding("supervisor_first", True, offer, "Offers a supervisor only after trying.")
    advice = "Try to solve it yourself first; offer a supervisor as the last resort."
    return Finding("supervisor_first", False, offer, advice)


def _tried_first(text: str, offer_start: int) -> bool:
    # a promise in an earlier clause ("I'll send a technician, and if that fails, my manager...")
    for match in FIRST_PERSON_RE.finditer(text, 0, offer_start):
        if CLAUSE_BREAK_RE.search(text, match.end(), offer_start):
            return True
    return False


def _supervisor_offer(text: str) -> tuple[int, int] | None:
    for start, end in sentences(text):
        sentence = text[start:end]
        match = phrases.SUPERVISOR_RE.search(sentence)
        if match and not _PAST_CONSULT.search(sentence):
            return start + match.start(), start + match.end()
    return None
