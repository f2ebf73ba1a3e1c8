"""Emotion, complaint and escalation signals for an inbound customer message, with the words behind
each finding; only the newly written text is scored, never the quoted history."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from regard.insight import emotion_model, emotion_rules
from regard.insight.emotion_rules import LABELS, Span
from regard.insight.quoting import new_text_ranges

__all__ = ["LABELS", "SIGNALS", "Emotion", "Span", "analyze"]

SIGNALS = ("churn_threat", "escalation_threat", "repeat_contact", "urgency", "compliment")
# Past this length a message is a pasted log or document; its opening says what the customer feels.
MAX_CHARS = 20_000
_GRIEVANCE_SIGNALS = frozenset({"churn_threat", "escalation_threat", "repeat_contact"})
_QUOTES = (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'))


@dataclass(frozen=True)
class Emotion:
    label: str
    intensity: float
    complaint: bool
    signals: frozenset[str]
    evidence: tuple[Span, ...]


def analyze(text: str) -> Emotion:
    """Score the new part of a customer message; offsets in evidence refer to the text given."""
    if not isinstance(text, str):
        raise TypeError(f"analyze() needs a str, not {type(text).__name__}")
    fresh = scored_text(text)
    if not fresh.strip():
        return Emotion("neutral", 0.0, False, frozenset(), ())
    found = emotion_rules.collect(fresh)
    complaints = found.complaints or _implied_complaints(found)
    signals = found.signals + _compliments(fresh, found, complaints)
    label = _label(fresh, found)
    label_spans = [c for c in found.cues if c.reason == label] or _model_spans(fresh, label, found)
    evidence = sorted(
        [*label_spans, *complaints, *signals, *found.boosts], key=lambda s: (s.start, s.reason)
    )
    return Emotion(
        label=label,
        intensity=_intensity(found, label, label_spans),
        complaint=bool(complaints),
        signals=frozenset(s.reason for s in signals),
        evidence=tuple(_with_text(text, s) for s in evidence),
    )


def _implied_complaints(found: emotion_rules.Findings) -> list[Span]:
    """Threats to leave or escalate, chasing, anger and sarcasm all mean something went wrong."""
    implied = [t for t in found.signals if t.reason in _GRIEVANCE_SIGNALS]
    implied += [c for c in found.cues if c.reason == "angry" or c.text == "not happy"]
    implied += found.sarcasm
    return [Span(s.start, s.end, s.text, "complaint") for s in implied]


def scored_text(text: str) -> str:
    """The message with quoted history blanked to spaces, so offsets still match the original."""
    text = text[:MAX_CHARS]
    kept = []
    done = 0
    for start, end in new_text_ranges(text):
        kept += (" " * (start - done), text[start:end])
        done = end
    kept.append(" " * (len(text) - done))
    blanked = "".join(kept)
    # str.translate with a dict goes character by character; four replaces are far faster.
    for curly, straight in _QUOTES:
        blanked = blanked.replace(curly, straight)
    return blanked


def _with_text(original: str, span: Span) -> Span:
    return Span(span.start, span.end, original[span.start : span.end], span.reason)


def _label(text: str, found: emotion_rules.Findings) -> str:
    model = emotion_model.load_model()
    counts = Counter(c.reason for c in found.cues)
    if model is None:
        coarse = _coarse_from_cues(counts)
    else:
        probabilities = model.probabilities(text, found)
        ranked = sorted(probabilities, key=probabilities.__getitem__, reverse=True)
        coarse = ranked[0]
        if coarse != "neutral" and _only_denied(coarse, counts, found.denied):
            coarse = ranked[1]
    if found.sarcasm and coarse == "joy":
        coarse = "anger"
    return _fine_label(coarse, counts, found)


def _only_denied(coarse: str, counts: Counter[str], denied: list[Span]) -> bool:
    """True when every lexicon word for the class was negated ("not worried", "not angry")."""
    cue_count = sum(n for label, n in counts.items() if emotion_model.TO_COARSE[label] == coarse)
    return cue_count == 0 and any(emotion_model.TO_COARSE[d.reason] == coarse for d in denied)


def _coarse_from_cues(counts: Counter[str]) -> str:
    totals = Counter()
    for label, count in counts.items():
        totals[emotion_rules.TO_COARSE_CUE[label]] += count
    return totals.most_common(1)[0][0] if totals else "neutral"


def _fine_label(coarse: str, counts: Counter[str], found: emotion_rules.Findings) -> str:
    """Split the model's broad class with the rules: anger that shouts, swears or threatens is
    angry rather than frustrated, and joy that thanks someone is grateful."""
    if coarse == "anger":
        loud = any(b.reason in {"caps", "exclamation"} for b in found.boosts)
        threat = any(s.reason in {"churn_threat", "escalation_threat"} for s in found.signals)
        return "angry" if counts["angry"] or loud or threat else "frustrated"
    if coarse == "joy":
        return "grateful" if counts["grateful"] else "satisfied"
    return {"fear": "anxious", "sadness": "sad"}.get(coarse, "neutral")


def _model_spans(text: str, label: str, found: emotion_rules.Findings) -> list[Span]:
    """The words the model leaned on most, when no lexicon word explains its label."""
    model = emotion_model.load_model()
    if model is None or label == "neutral":
        return []
    denied = {d.text for d in found.denied}
    spans = []
    for word in model.word_evidence(text, emotion_model.TO_COARSE[label]):
        match = _whole_word(word).search(text)
        if match and len(word) > 3 and word not in denied:
            spans.append(Span(match.start(), match.end(), match.group(), label))
    return spans


@lru_cache(maxsize=4096)
def _whole_word(word: str) -> re.Pattern[str]:
    # More words than re's own cache holds come by, and compiling is most of a search's cost.
    return re.compile(rf"\b{re.escape(word)}\b", re.IGNORECASE)


def _intensity(found: emotion_rules.Findings, label: str, label_spans: list[Span]) -> float:
    kinds = Counter(b.reason for b in found.boosts)
    runs = sum(b.reason == "exclamation" and len(b.text) > 1 for b in found.boosts)
    score = 0.5 * abs(found.polarity["compound"])
    score += 0.1 * min(len(label_spans), 3)
    score += 0.1 * min(kinds["caps"], 3) + 0.05 * min(kinds["exclamation"], 2) + 0.1 * min(runs, 2)
    score += 0.05 * min(kinds["intensifier"], 2)
    if label == "neutral":
        score *= 0.5
    return round(min(score, 1.0), 3)


# fmt: off
_AGENT_PRAISE = re.compile(
    r"\b(?i:thanks?(?: you)?(?: so much| a lot)?(?: to)?|shout-?out to|kudos to|props to"
    r"|grateful (?:\w+ ){0,3}to|pass (?:on )?my thanks (?:on )?to|let|especially)"
    r"\s+(?P<a>[A-Z][a-z]+)\b"
    r"|\b(?P<b>[A-Z][a-z]+)(?: \w+){0,6} (?:was|is|were|went|deserves|stayed|handled|sorted"
    r"|fixed|helped)\b(?=(?: \w+){0,3} (?:brilliant|fantastic"
    r"|amazing|great|wonderful|superb|excellent|exceptional|lovely|patient|kind|helpful"
    r"|a star|a medal|a raise|above|beyond|beautifully|his way|her way|with)\b)",
)
_NOT_NAMES = frozenset({
    "I", "It", "This", "That", "The", "You", "Your", "We", "Our", "They", "He", "She",
    "Everything", "Nothing", "Nobody", "Support", "Service", "Team", "Order", "Delivery", "Hello",
    "Hi", "Dear", "Thanks", "Thank", "Just", "Really", "Please", "Very", "Great", "My",
    "Everyone", "Someone", "Everybody", "Somebody", "Anyone", "Yes", "No", "So", "And",
    "But", "Oh", "Well", "Now", "Then", "There", "Here", "Today", "Yesterday", "What", "Which",
    "When", "Why", "How", "Honestly", "Overall", "Sadly", "Unfortunately",
})
_PRAISE = re.compile(
    r"\b(?:excellent|outstanding|superb|brilliant|fantastic|amazing|wonderful|impressed"
    r"|above and beyond|lifesaver|five stars|5 stars|top marks|well done|great (?:job|service"
    r"|product)|best (?:support|service|customer service)|keep it up|deserves a|love (?:it|the)"
    r"|(?:really|very|so|super) (?:pleased|smooth|happy|helpful|kind|impressed|quick|handy|nice"
    r"|good)|made my day|the best|crystal clear|shout-?out)\b",
)
# fmt: on


def _compliments(text: str, found: emotion_rules.Findings, complaints: list[Span]) -> list[Span]:
    """Praise for the service or a named agent, unless the praise is sarcasm."""
    if found.sarcasm:
        return []
    named = [
        Span(m.start(), m.end(), m.group(), "compliment")
        for m in _AGENT_PRAISE.finditer(text)
        if (m.group("a") or m.group("b")) not in _NOT_NAMES
    ]
    if named:
        return named
    if complaints or any(c.reason in {"angry", "frustrated"} for c in found.cues):
        return []
    folded = emotion_rules.fold(text)
    return [
        Span(m.start(), m.end(), m.group(), "compliment")
        for m in _PRAISE.finditer(folded)
        if not emotion_rules.negated(folded, m.start())
    ]
