"""Each customer message is read for emotion on arrival; the conversation keeps the mood."""

import pytest

from regard.conversations import actions
from regard.conversations.feelings import is_upset, mood_trend
from tests.factories import make_conversation

pytestmark = pytest.mark.django_db


def test_an_angry_threat_to_leave_marks_the_conversation_upset():
    conversation = make_conversation(
        text="This is the THIRD time I'm writing!!! Cancel my account, I'm switching to Acme."
    )
    message = conversation.messages.get()
    assert message.emotion in {"angry", "frustrated"}
    assert message.complaint
    assert {"churn_threat", "repeat_contact"} <= set(message.signals)
    assert any(e["reason"] == "churn_threat" for e in message.evidence)
    assert conversation.upset


def test_a_calm_thank_you_is_not_upset():
    conversation = make_conversation(text="Thank you so much, Dana was wonderful!")
    assert not conversation.upset
    assert conversation.messages.get().emotion in {"grateful", "satisfied"}


def test_only_the_new_text_is_scored():
    conversation = make_conversation(text="Thanks, that works.")
    actions.receive_message(
        conversation, text_full="Great, thanks!\n> I am FURIOUS!!!", text_new="Great, thanks!"
    )
    conversation.refresh_from_db()
    assert not conversation.upset


def test_mood_trend_and_upset_rules():
    assert mood_trend([("neutral", 0.1), ("angry", 0.9)]) == "worse"
    assert mood_trend([("angry", 0.9), ("grateful", 0.8)]) == "better"
    assert mood_trend([("neutral", 0.0)]) == "steady"
    assert is_upset("neutral", 0.0, ["escalation_threat"])
    assert not is_upset("angry", 0.1, [])
