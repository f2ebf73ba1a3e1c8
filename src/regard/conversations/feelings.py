"""Reading the customer's emotion on arrival and keeping the conversation's mood current."""

from __future__ import annotations

from regard.insight.emotion import analyze

UPSET_LABELS = frozenset({"angry", "frustrated", "anxious", "sad"})
UPSET_SIGNALS = frozenset({"churn_threat", "escalation_threat", "repeat_contact"})


def emotion_fields(text: str) -> dict:
    """The Message fields that record what `analyze` found, with its evidence spans."""
    found = analyze(text or "")
    return {
        "emotion": found.label,
        "emotion_intensity": round(found.intensity, 3),
        "complaint": found.complaint,
        "signals": sorted(found.signals),
        "evidence": [
            {"start": s.start, "end": s.end, "text": s.text, "reason": s.reason}
            for s in found.evidence
        ],
    }


def is_upset(label: str, intensity: float | None, signals) -> bool:
    strong = label in UPSET_LABELS and (intensity or 0) >= 0.4
    return strong or bool(UPSET_SIGNALS & set(signals or ()))


def mood_trend(intensities: list[tuple[str, float]]) -> str:
    """'worse', 'better' or 'steady' from the customer's last messages, oldest first."""
    scores = [
        (1 if label in UPSET_LABELS else -1 if label in {"satisfied", "grateful"} else 0)
        * (value or 0)
        for label, value in intensities
    ]
    if len(scores) < 2:
        return "steady"
    change = scores[-1] - scores[0]
    return "worse" if change > 0.2 else "better" if change < -0.2 else "steady"
