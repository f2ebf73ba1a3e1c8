"""Builders for loyalty tests: solved conversations, and links as customers see them."""

from __future__ import annotations

import re

from django.core import mail

from regard.conversations import actions
from regard.loyalty.models import Survey
from tests.factories import make_conversation, make_customer

LINK = re.compile(r"http://testserver(/loyalty/s/[^/\s]+/(\d+))")


def solved(committed, agent, customer=None, **kwargs):
    """A conversation the customer opened and the agent solved, with after-commit work done."""
    customer = customer or make_customer(name=kwargs.pop("name", "Ana Silva"))
    conversation = make_conversation(customer, assignee=agent, **kwargs)
    committed(
        lambda: actions.send_reply(agent.user, conversation, "Hi Ana, sorted.", status="solved")
    )
    conversation.refresh_from_db()
    return conversation


def rating_links(message=None) -> dict[int, str]:
    """score -> path of the one-click links in the latest survey e-mail."""
    message = message or survey_mails()[-1]
    return {int(score): path for path, score in LINK.findall(message.body)}


def survey_mails() -> list:
    return [m for m in mail.outbox if "/loyalty/s/" in m.body]


def survey_of(conversation) -> Survey:
    return Survey.objects.get(conversation=conversation)
