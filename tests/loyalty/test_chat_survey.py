"""A chat's survey is asked in the chat while the visitor is there, else by e-mail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from regard.channels.chat.models import ChatSession
from regard.conversations import actions
from regard.conversations.models import Conversation, Event
from regard.loyalty.models import SurveyAnswer
from tests.channels.chat.helpers import call, start
from tests.loyalty.helpers import LINK, survey_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat(client, settings, agent):
    """A visitor's chat, answered and solved by the agent; returns (visitor token, conversation)."""
    settings.EMBED_ORIGINS = ["https://shop.example"]
    visitor = start(client, name="Ana", email="ana@example.com")
    sent = call(client, "messages", {"text": "Where is my parcel?"}, token=visitor["token"])
    assert sent.status_code == 201
    conversation = Conversation.objects.get(channel="chat")
    return visitor["token"], conversation


def solve(committed, agent, conversation):
    committed(
        lambda: actions.send_reply(agent.user, conversation, "It arrives today.", status="solved")
    )


def test_a_visitor_still_there_gets_the_rating_links_in_the_chat(client, committed, agent, chat):
    token, conversation = chat
    solve(committed, agent, conversation)
    assert mail.outbox == []  # not mailed as well
    seen = call(client, "messages", {"after": 0}, token=token, method="get").json()["messages"]
    survey_message = seen[-1]
    assert survey_message["direction"] == "out" and survey_message["author"] is None
    links = {int(score): path for path, score in LINK.findall(survey_message["text"])}
    assert sorted(links) == [1, 2, 3, 4, 5]
    assert "How happy are you" in survey_message["text"]
    survey = survey_of(conversation)
    assert survey.sent_at is not None
    assert Event.objects.filter(kind="survey.sent", data__to="chat").count() == 1
    assert client.get(links[5]).status_code == 200
    assert SurveyAnswer.objects.get(survey=survey).score == 5


def test_a_visitor_who_left_is_asked_by_e_mail(committed, agent, chat):
    _token, conversation = chat
    ChatSession.objects.update(last_seen=timezone.now() - timedelta(hours=2))
    solve(committed, agent, conversation)
    assert [m.to for m in mail.outbox if "/loyalty/s/" in m.body] == [["ana@example.com"]]
    assert not conversation.messages.filter(text_full__contains="/loyalty/s/").exists()


def test_an_anonymous_visitor_who_left_cannot_be_asked(client, settings, committed, agent):
    settings.EMBED_ORIGINS = ["https://shop.example"]
    visitor = start(client, name="Bo")
    call(client, "messages", {"text": "Do you ship to Norway?"}, token=visitor["token"])
    conversation = Conversation.objects.get(channel="chat")
    ChatSession.objects.update(last_seen=timezone.now() - timedelta(hours=2))
    solve(committed, agent, conversation)
    assert mail.outbox == []
    assert survey_of(conversation).sent_at is None  # nowhere to reach them
