"""Find the promises an agent makes in a reply ("I'll call you at 3pm") and when they fall due.

Quoted customer text, questions, conditionals, hedges and past tense are not promises.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from regard.insight import dates
from regard.insight.quoting import new_text_ranges

_WILL = r"(?:'ll|’ll|\s+will|\s+shall|\s+am\s+going\s+to|'m\s+going\s+to|’m\s+going\s+to" \
    r"|\s+are\s+going\s+to|'re\s+going\s+to|’re\s+going\s+to)"  # fmt: skip
_STAFF = (
    r"team|colleagues?|technicians?|engineers?|specialists?|courier|manager|supervisor"
    r"|department|partners?|warehouse|driver|agent|store"
)
FIRST_PERSON_RE = re.compile(rf"\b(?:I|we){_WILL}(?=\s)", re.IGNORECASE)
OWNER_RE = re.compile(
    rf"\b(?:(?:our|my)\s+(?:[\w-]+\s+)?(?:{_STAFF})|someone(?:\s+from\s+(?:our|the)\s+\w+)?"
    rf"|a\s+(?:technician|courier|specialist|colleague|member\s+of\s+(?:our|my|the)\s+team))"
    rf"(?:'ll|\s+will|\s+(?:is|are)\s+going\s+to)(?=\s)",
    re.IGNORECASE,
)
YOU_RE = re.compile(
    r"\byou(?:'ll|’ll|\s+will)\s+(?:(?:hear|receive|get)\b|have\b(?!\s+to\b)"
    r"|be\s+(?:contacted|called|refunded|credited|notified|updated|reimbursed)\b)"
    r"|\b(?:you\s+can\s+)?expect\s+(?:a|an|my|our|to\s+hear|to\s+receive|to\s+get)\b",
    re.IGNORECASE,
)
LET_ME_RE = re.compile(
    r"\blet\s+(?:me|us)\s+(?:quickly\s+|just\s+|personally\s+|double-)?"
    r"(?:check|look|find|get|ask|confirm|follow|chase|speak|talk|reach|contact|investigate"
    r"|dig|escalate|call|email|send|arrange|raise|book)\b"
    r"|\bI\s+promise\s+to\b",
    re.IGNORECASE,
)
PASSIVE_RE = re.compile(
    r"\b(?:your|the)\s+(?:[\w-]+\s+){0,2}?(?:will|is\s+going\s+to)\s+be\s+(?:shipped|sent|processed"
    r"|refunded|credited|delivered|issued|dispatched|replaced|repaired|fixed|resolved|restored"
    r"|activated|collected|picked\s+up|back\s+online|on\s+its\s+way)\b",
    re.IGNORECASE,
)
NOT_A_PROMISE_AFTER = re.compile(
    r"\s*(?:not|never|no\s+longer|probably|likely|possibly|maybe|perhaps|always|usually|often"
    r"|need|want|miss|assume|admit|say|note|start\s+by|begin\s+by|leave\s+it|see(?!\s+to\s+it)"
    r"|keep\s+(?:it|this)\s+(?:short|brief)|have\s+to\s+wait"
    r"|be\s+(?:happy|glad|delighted|pleased|honest|frank|brief|out|away|off|on\s+(?:leave|holiday"
    r"|vacation)|unavailable|closed|open|in\s+the\s+office|back\s+in\s+the\s+office|travell?ing))\b",
    re.IGNORECASE,
)
HEDGE_BEFORE = re.compile(
    r"\b(?:hopefully|hope|think|believe|guess|maybe|perhaps|probably|doubt|not\s+sure|wish"
    r"|afraid|said|told|promised|mentioned|thought|wondering)\b[^,;.]*$",
    re.IGNORECASE,
)
CONDITION_RE = re.compile(
    r"(?<!see )(?<!check )(?<!know )(?<!ask )(?<!confirm )(?<!out )(?<!whether )(?<!even )"
    r"(?<!verify )\b(?:if|unless|in\s+case|provided(?:\s+that)?|assuming|should\s+you"
    r"|as\s+long\s+as)\b"
    r"|\b(?:once|when|after|as\s+soon\s+as|whenever)\s+you\b",
    re.IGNORECASE,
)
QUESTION_START_RE = re.compile(
    r"^\W*(?:shall|should|would|could|can|may|will|do|does|did|is|are|what|when|how|why|where"
    r"|who|which|want)\b|^\W*(?:would|do)\s+you\s+(?:like|want|prefer)\b",
    re.IGNORECASE,
)
OFFER_RE = re.compile(
    r"^\W*(?:would|do)\s+you\s+(?:like|want|prefer)|^\W*(?:shall|should|can|may|could)\s+(?:I|we)\b",
    re.IGNORECASE,
)
COORDINATION_RE = re.compile(r"[,;]\s*(?:and|but|then)\b|;", re.IGNORECASE)
LEADING_JOIN_RE = re.compile(r"[\s,;:–—-]*(?:(?:and|but|then|so|also)\b[\s,]*)?", re.IGNORECASE)
CLAUSE_BREAK_RE = re.compile(r",|;|:|\s[-–—]\s|\s(?:and|but|then|also|so)\s", re.IGNORECASE)
QUOTED_WORDS_RE = re.compile(r"\"[^\"\n]{3,}\"|“[^”\n]{3,}”")
BOUNDARY_RE = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s|$)|\n\s*\n|\n(?=[ \t]*(?:[-*•]|[A-Z]))")
# longer replies are pasted logs or documents; an agent's promises sit in the first pages
MAX_CHARS = 100_000
TITLES = ("mr", "mrs", "ms", "dr", "vs", "approx")


@dataclass(frozen=True)
class Promise:
    """One promise in a reply: the words as written, where they are, and when they fall due."""

    text: str
    start: int
    end: int
    due_at: datetime | None
    has_timeline: bool


def extract(text: str, *, sent_at: datetime, tz: str) -> list[Promise]:
    """Return the promises an agent makes in `text`, with due times in the agent's zone `tz`."""
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    now = _local(sent_at, tz)
    visible = own_words(text[:MAX_CHARS])
    promises: list[Promise] = []
    for start, end in sentences(visible):
        promises.extend(_promises_in(visible, start, end, now))
    # quoted words inside a promise were blanked for analysis; report the promise as written
    return [replace(p, text=text[p.start : p.end]) for p in promises]


def _local(sent_at: datetime, tz: str) -> datetime:
    if not isinstance(sent_at, datetime):
        raise TypeError(f"sent_at must be a datetime, not {type(sent_at).__name__}")
    if sent_at.tzinfo is None or sent_at.utcoffset() is None:
        raise ValueError("sent_at must be timezone-aware")
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise ValueError(f"unknown time zone: {tz!r}") from error
    return sent_at.astimezone(zone)


def own_words(text: str) -> str:
    """Blank out quoted text (reply history, "> " lines, quoted words) keeping every offset."""
    pieces, cursor = [], 0
    for start, end in new_text_ranges(text):
        pieces += [_blank(text[cursor:start]), text[start:end]]
        cursor = end
    pieces.append(_blank(text[cursor:]))
    return QUOTED_WORDS_RE.sub(lambda m: _blank(m.group(0)), "".join(pieces))


def _blank(chunk: str) -> str:
    return re.sub(r"[^\n]", " ", chunk)


def sentences(text: str) -> list[tuple[int, int]]:
    """Split text into (start, end) sentence spans, keeping "Mr." and "3 p.m. today" whole."""
    spans, start = [], 0
    for match in BOUNDARY_RE.finditer(text):
        if _false_boundary(text, match):
            continue
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    return [_trim(text, s, e) for s, e in spans if text[s:e].strip()]


def _false_boundary(text: str, match: re.Match) -> bool:
    if match.group(0).startswith("\n"):
        return False
    following = text[match.end() : match.end() + 2].lstrip()
    if following[:1].islower() or following[:1].isdigit():
        return True
    word = re.search(r"(\w+)\W*$", text[max(0, match.start() - 6) : match.start()])
    return bool(word) and match.group(0) == "." and word.group(1).lower() in TITLES


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _promises_in(text: str, start: int, end: int, now: datetime) -> list[Promise]:
    sentence = text[start:end]
    if OFFER_RE.search(sentence):
        return []
    triggers = _triggers(sentence)
    if not triggers:
        return []
    promises: list[Promise] = []
    for index, (begin, finish) in enumerate(_segments(sentence, triggers)):
        promise = _promise(text, start + begin, start + finish, now)
        if promises and _continues(promises[-1], text[start + begin : start + finish]):
            promise = _promise(text, promises.pop().start, start + finish, now)
        if promise.has_timeline or not triggers[index][2]:
            promises.append(promise)
    return promises


def _continues(previous: Promise, segment: str) -> bool:
    # "let me check and I'll get back to you by noon" is one promise with one deadline
    return not previous.has_timeline and re.match(r"and\s", segment, re.IGNORECASE) is not None


def _triggers(sentence: str) -> list[tuple[int, int, bool]]:
    found = []
    conditions = [m.start() for m in CONDITION_RE.finditer(sentence)]
    for pattern in (FIRST_PERSON_RE, OWNER_RE, YOU_RE, LET_ME_RE, PASSIVE_RE):
        for match in pattern.finditer(sentence):
            if _is_commitment(sentence, match, pattern, conditions):
                found.append((match.start(), match.end(), pattern is PASSIVE_RE))
    found.sort()
    kept: list[tuple[int, int, bool]] = []
    for trigger in found:
        if kept and not CLAUSE_BREAK_RE.search(sentence[kept[-1][1] : trigger[0]]):
            continue  # "I promise I'll call" is one promise, as are overlapping patterns
        kept.append(trigger)
    return kept


def _is_commitment(
    sentence: str, match: re.Match, pattern: re.Pattern, conditions: list[int]
) -> bool:
    if pattern in (FIRST_PERSON_RE, OWNER_RE) and NOT_A_PROMISE_AFTER.match(sentence, match.end()):
        return False
    before = re.split(r"[,;:]", sentence[max(0, match.start() - 200) : match.start()])[-1]
    if HEDGE_BEFORE.search(before) or _is_conditional(sentence, match, conditions):
        return False
    return not _is_question(sentence, match.start())


def _is_conditional(sentence: str, match: re.Match, conditions: list[int]) -> bool:
    # "if" before the promise governs it; after it, only until ", and" starts a new clause
    if not conditions:
        return False
    if conditions[0] < match.start():
        return True
    later = conditions[min(bisect.bisect_left(conditions, match.end()), len(conditions) - 1)]
    return not COORDINATION_RE.search(sentence, match.end(), later)


def _is_question(sentence: str, position: int) -> bool:
    if not sentence.rstrip().endswith("?"):
        return False
    if QUESTION_START_RE.search(sentence):
        return True
    return not CLAUSE_BREAK_RE.search(sentence[position:])


def _segments(sentence: str, triggers: list[tuple[int, int, bool]]) -> list[tuple[int, int]]:
    cuts = [0]
    for previous, current in zip(triggers, triggers[1:], strict=False):
        between = list(CLAUSE_BREAK_RE.finditer(sentence, previous[1], current[0]))
        cuts.append(between[-1].start() if between else current[0])
    cuts.append(len(sentence))
    return [_trim(sentence, a, b) for a, b in zip(cuts, cuts[1:], strict=False)]


def _promise(text: str, start: int, end: int, now: datetime) -> Promise:
    lead = LEADING_JOIN_RE.match(text, start, end)
    start = lead.end() if lead else start
    span = text[start:end].rstrip(" ,;:-–—")
    end = start + len(span)
    due = dates.resolve(span, now)
    return Promise(span, start, end, due, due is not None)
