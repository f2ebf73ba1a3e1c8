"""Narrowing an inbox view by channel, tag, priority and organization."""

import pytest
from django.urls import reverse

from regard.conversations import actions
from regard.customers.models import Organization
from tests.factories import PASSWORD, make_conversation, make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, agent):
    client.login(username=agent.user.username, password=PASSWORD)
    return client


def listed(client, query: str) -> str:
    body = client.get(reverse("web:inbox") + "?view=team&" + query).content.decode()
    return body[body.index('id="list-title"') :]


def test_each_filter_narrows_the_view(signed_in, agent, team):
    acme = Organization.objects.create(name="Acme")
    chat = make_conversation(team=team, subject="By chat", channel="chat")
    urgent = make_conversation(team=team, subject="Urgent one")
    urgent.priority = 3
    urgent.save()
    tagged = make_conversation(team=team, subject="Tagged one")
    actions.set_tags(agent.user, tagged, ["refund"])
    member = make_customer("ana@acme.example", "Ana", organization=acme)
    make_conversation(team=team, subject="From Acme", customer=member)
    assert "By chat" in listed(signed_in, "channel=chat")
    assert "Urgent one" not in listed(signed_in, "channel=chat")
    assert "Urgent one" in listed(signed_in, "priority=3")
    assert "By chat" not in listed(signed_in, "priority=3")
    assert "Tagged one" in listed(signed_in, "tag=Refund")
    assert "From Acme" not in listed(signed_in, "tag=refund")
    assert "From Acme" in listed(signed_in, f"organization={acme.pk}")
    assert "Tagged one" not in listed(signed_in, f"organization={acme.pk}")
    assert chat.pk


def test_nonsense_filters_are_ignored_not_errors(signed_in, agent, team):
    make_conversation(team=team, subject="Still here")
    body = listed(signed_in, "channel=<script>&priority=99&organization=x&tag=")
    assert "Still here" in body and "<script>" not in body
