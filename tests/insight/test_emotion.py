import dataclasses
import json
import time
from pathlib import Path

import pytest

from regard.insight import emotion_model
from regard.insight.emotion import LABELS, SIGNALS, Emotion, analyze
from regard.insight.quoting import new_text

CUSTOMER_SET = Path(__file__).parent / "data" / "customer_messages.jsonl"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "goemotions" / "ekman"
POSITIVE = {"satisfied", "grateful"}
NEGATIVE = {"angry", "frustrated", "anxious", "sad"}


def spans_for(result: Emotion, reason: str) -> list[str]:
    return [span.text for span in result.evidence if span.reason == reason]


# Bad input first.


@pytest.mark.parametrize("text", ["", "   ", "\n\t \n", "> only quoted history\n> nothing new"])
def test_empty_or_quoted_only_text_is_calm_and_has_no_findings(text):
    result = analyze(text)
    assert result == Emotion("neutral", 0.0, False, frozenset(), ())


@pytest.mark.parametrize("value", [None, 42, b"my order is late", ["late"]])
def test_non_string_input_raises_type_error(value):
    with pytest.raises(TypeError):
        analyze(value)


def test_a_megabyte_of_text_finishes_fast():
    text = "My order still hasn't arrived and I am FURIOUS!!! " * 20_000
    started = time.perf_counter()
    result = analyze(text)
    assert time.perf_counter() - started < 2.0
    assert result.complaint


def test_emoji_and_unicode_keep_spans_aligned_with_the_original_text():
    text = "İSTANBUL office 🙏 Thank you Nora, you were amazing! Ünïcödé ✓"
    result = analyze(text)
    assert "compliment" in result.signals
    for span in result.evidence:
        assert text[span.start : span.end] == span.text


def test_result_is_frozen_and_within_bounds():
    result = analyze("Why is my refund STILL not here?!")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.label = "neutral"
    assert result.label in LABELS
    assert 0.0 <= result.intensity <= 1.0
    assert result.signals <= set(SIGNALS)


# Behaviour.


def test_negation_turns_praise_into_dissatisfaction():
    happy = analyze("I am happy with the new router.")
    unhappy = analyze("I am not happy with the new router.")
    assert happy.label in POSITIVE
    assert unhappy.label in NEGATIVE
    assert unhappy.complaint and not happy.complaint


def test_negated_worry_is_not_anxiety_evidence():
    result = analyze("I'm not worried about it, just let me know when the new one ships.")
    assert spans_for(result, "anxious") == []


def test_capitals_and_exclamation_runs_raise_intensity():
    calm = analyze("The parcel is late again.")
    shouting = analyze("THE PARCEL IS LATE AGAIN!!!")
    assert shouting.intensity > calm.intensity
    reasons = {span.reason for span in shouting.evidence}
    assert {"caps", "exclamation"} <= reasons


def test_quoted_history_is_ignored():
    text = (
        "Thanks, that worked!\n\n"
        "On Tue, 3 Nov 2026 at 09:12, Regard Support <support@example.com> wrote:\n"
        "> I am FURIOUS!!! Cancel my account, my lawyer will hear about this.\n"
    )
    result = analyze(text)
    assert result.label in POSITIVE
    assert not result.complaint
    assert not result.signals & {"churn_threat", "escalation_threat"}
    assert all(span.end <= text.index("On Tue") for span in result.evidence)


@pytest.mark.parametrize(
    ("text", "signal", "words"),
    [
        ("Fix this or cancel my account, I'm done.", "churn_threat", "cancel my account"),
        ("I'm switching to your competitor next month.", "churn_threat", "switching to"),
        ("My lawyer will be in touch about this charge.", "escalation_threat", "lawyer"),
        ("I've reported you to the regulator.", "escalation_threat", "regulator"),
        ("I'll be posting about this on Twitter.", "escalation_threat", "Twitter"),
        (
            "This is the third time I'm writing about it.",
            "repeat_contact",
            "third time I'm writing",
        ),
        ("Our site has been down since 9am and we are losing sales.", "urgency", "losing sales"),
        ("I need the invoice by Friday for the audit.", "urgency", "by Friday"),
        ("Priya was brilliant, thank you for sorting it.", "compliment", "Priya"),
    ],
)
def test_each_signal_points_at_the_words_that_raised_it(text, signal, words):
    result = analyze(text)
    assert signal in result.signals
    evidence = spans_for(result, signal)
    assert any(words in found for found in evidence), evidence
    for span in result.evidence:
        assert text[span.start : span.end] == span.text


def test_no_rush_is_not_urgent():
    assert "urgency" not in analyze("No rush, but could you resend today's invoice?").signals


def test_calm_complaint_is_flagged_without_anger():
    result = analyze("Hi, my order #48213 still hasn't arrived. Could you check where it is?")
    assert result.complaint
    assert result.label not in {"angry", "frustrated"}
    assert any("hasn't arrived" in text for text in spans_for(result, "complaint"))


def test_praise_naming_an_agent_is_a_compliment():
    result = analyze("Marcus on the phone last night was brilliant. Please pass my thanks on.")
    assert "compliment" in result.signals
    assert result.label in POSITIVE
    assert not result.complaint


def test_sarcastic_praise_is_a_complaint_not_a_compliment():
    result = analyze("Oh great, another delivery exception. Thanks for nothing.")
    assert result.complaint
    assert "compliment" not in result.signals
    assert result.label in NEGATIVE


def test_quoting_helper_keeps_only_the_new_text():
    text = (
        "New words here.\n> quoted line\nMore new words.\n\n"
        "-----Original Message-----\nFrom: Support\nOld words."
    )
    assert new_text(text) == "New words here.\nMore new words."
    assert new_text("Reply.\n\nOn Mon, Nov 9, 2026 at 4:41 PM Support <a@b.c>\nwrote:\n> x") == (
        "Reply."
    )
    assert new_text("On Monday nobody came.") == "On Monday nobody came."


def test_shipped_model_loads_from_the_package():
    model = emotion_model.load_model()
    assert model is not None
    assert emotion_model.load_model() is model
    assert set(model.classes) == set(emotion_model.COARSE)


def test_held_out_customer_messages_meet_the_complaint_target():
    lines = CUSTOMER_SET.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for i, line in enumerate(lines) if i % 4 == 3]
    predicted = [analyze(row["text"]).complaint for row in rows]
    gold = [row["complaint"] for row in rows]
    true_positive = sum(p and g for p, g in zip(predicted, gold, strict=True))
    f1 = 2 * true_positive / (sum(predicted) + sum(gold))
    assert f1 >= 0.75


def test_customer_set_is_large_and_well_formed():
    rows = [json.loads(line) for line in CUSTOMER_SET.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 400
    for row in rows:
        assert row["label"] in LABELS
        assert isinstance(row["complaint"], bool)
        assert set(row["signals"]) <= set(SIGNALS)


def test_goemotions_dev_sample_scores_above_plain_vader():
    if not (CORPUS / "dev.tsv").is_file():
        pytest.skip("needs ../shared/corpora (GoEmotions dev split) next to the repository")
    from sklearn.metrics import f1_score

    names = (CORPUS / "labels.txt").read_text(encoding="utf-8").split()
    coarse = {"anger": "anger", "disgust": "anger", "fear": "fear", "joy": "joy"}
    coarse |= {"neutral": "neutral", "sadness": "sadness"}
    gold, predicted = [], []
    for line in (CORPUS / "dev.tsv").read_text(encoding="utf-8").splitlines()[:600]:
        text, indices, _ = line.split("\t")
        label = names[int(indices)] if "," not in indices else "surprise"
        if label in coarse:
            gold.append(coarse[label])
            predicted.append(emotion_model.TO_COARSE[analyze(text).label])
    assert f1_score(gold, predicted, average="macro") >= 0.5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Hallo,\ndas Paket fehlt.\n\nAm 02.03.2026 um 10:00 schrieb Dana <d@x.de>:\n> alt",
            "Hallo,\ndas Paket fehlt.",
        ),
        ("Hi there\n-- \nZoë\nCEO", "Hi there"),
        ("Bitte prüfen.\n\nVon: Support <s@x.de>\nGesendet: Montag", "Bitte prüfen."),
        ("Ok thanks\n\nOn Mon, 2 Mar 2026 at 10:00, Dana\n<d@x.com> wrote:\n> old", "Ok thanks"),
        ("Done -- thanks", "Done -- thanks"),
    ],
    ids=["german", "signature", "outlook-german", "wrapped-english", "dashes-in-text"],
)
def test_new_text_drops_history_and_signatures_in_common_clients(text, expected):
    from regard.insight.quoting import new_text

    assert new_text(text) == expected
