"""The inbox's prepared views give exactly what `view_rows` gives, for agents and supervisors,
and read the conversations anew on every request."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from regard.accounts.choices import Role
from regard.conversations.access import conversations_for
from regard.conversations.models import Conversation
from regard.web.inbox import Filters, view_rows
from regard.web.inbox_page import PREPARED_VIEWS, inbox_rows
from tests.factories import make_agent, make_conversation, make_team

pytestmark = pytest.mark.django_db


def rows(found) -> list[tuple]:
    return [(row.pk, row.customer.name, getattr(row, "next_due", None)) for row in found]


def test_every_prepared_view_gives_what_view_rows_gives():
    rng = random.Random(5)
    support, billing = make_team("Support"), make_team("Billing")
    dana = make_agent("dana", teams=[support])
    lead = make_agent("lead", role=Role.SUPERVISOR)
    now = timezone.now()
    for n in range(30):
        conversation = make_conversation(subject=f"c{n}", team=rng.choice((support, billing, None)))
        Conversation.objects.filter(pk=conversation.pk).update(
            assignee=rng.choice((dana, lead, None)),
            waiting_since=rng.choice((None, now - timedelta(hours=n))),
            upset=rng.random() < 0.3,
            snoozed_until=rng.choice((None, None, now + timedelta(hours=1))),
            updated_at=now - timedelta(minutes=n * 7 % 31),
        )
    for agent in (dana, lead):
        visible = conversations_for(agent.user)
        for key in sorted(PREPARED_VIEWS):
            expected = rows(view_rows(key, visible, agent))
            assert rows(inbox_rows(key, visible, agent)) == expected, (agent, key)
        assert expected or key == "snoozed"
    # a change shows on the next request
    visible = conversations_for(dana.user)
    before = rows(inbox_rows("mine", visible, dana))
    Conversation.objects.filter(team=support, assignee=None).update(assignee=dana)
    after = rows(inbox_rows("mine", visible, dana))
    assert after == rows(view_rows("mine", visible, dana)) and after != before


def test_filters_and_chosen_orders_take_the_general_path():
    dana = make_agent("dana", teams=[make_team("Support")])
    make_conversation(channel="chat").__class__.objects.update(assignee=dana)
    visible = conversations_for(dana.user)
    chat = Filters.from_query({"channel": "chat"})
    assert rows(inbox_rows("mine", visible, dana, filters=chat)) == rows(
        view_rows("mine", visible, dana, filters=chat)
    )
    assert rows(inbox_rows("mine", visible, dana, sort="due")) == rows(
        view_rows("mine", visible, dana, sort="due")
    )
