"""Kudos: from customer messages through the conversation hooks (cheaply), and from kind survey
comments; shown on the page of the people customers love, per team and period."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from regard.conversations import actions
from regard.conversations.models import Event
from regard.loyalty import surveys
from regard.loyalty.models import Kudos, Survey
from tests.factories import PASSWORD, make_agent, make_conversation, make_customer, make_team

pytestmark = pytest.mark.django_db


def test_a_compliment_naming_an_agent_becomes_their_kudos(agent, team):
    sam = make_agent("sam3", teams=[team], display_name="Sam Lee")
    conversation = make_conversation(assignee=agent, text="Where is my parcel?")
    message = actions.receive_message(
        conversation, text_full="Sam was a star yesterday, he sorted it all out so quickly!"
    )
    kudos = Kudos.objects.get()
    assert (kudos.agent, kudos.message, kudos.customer) == (sam, message, conversation.customer)
    assert kudos.quote.startswith("Sam was a star")
    assert Event.objects.filter(conversation=conversation, kind="kudos.received").exists()


def test_you_were_so_helpful_is_kudos_for_the_assignee(agent):
    conversation = make_conversation(assignee=agent)
    actions.receive_message(conversation, text_full="You have been so helpful, thank you!")
    assert Kudos.objects.get().agent == agent


def test_an_ordinary_message_costs_no_extra_query(agent, django_assert_num_queries):
    conversation = make_conversation(assignee=agent)
    from regard.loyalty.kudos import record_kudos

    message = conversation.messages.get()
    with django_assert_num_queries(0):
        assert record_kudos(message) == []


def test_sarcasm_gives_no_kudos(agent):
    conversation = make_conversation(assignee=agent)
    actions.receive_message(conversation, text_full="Oh great, Dana. The worst service ever.")
    assert not Kudos.objects.exists()


def test_a_kind_survey_comment_is_kudos_for_the_agent_who_helped(committed, agent):
    customer = make_customer(name="Ana")
    conversation = make_conversation(customer, assignee=agent)
    survey = Survey.objects.create(
        kind="csat",
        customer=customer,
        conversation=conversation,
        agent=agent,
        created_at=timezone.now(),
    )
    answer = committed(lambda: surveys.answer_survey(survey, 5))
    committed(lambda: surveys.add_comment(answer, "Excellent service, really quick."))
    kudos = Kudos.objects.get()
    assert (kudos.agent, kudos.survey) == (agent, survey)


def test_the_people_customers_love_per_team_and_period(client, agent, supervisor):
    other_team = make_team("Billing")
    bo = make_agent("bo", teams=[other_team], display_name="Bo Berg")
    for who, text in ((agent, "Dana was brilliant!"), (bo, "Bo went above and beyond.")):
        conversation = make_conversation(assignee=who)
        actions.receive_message(conversation, text_full=text)
    old = Kudos.objects.get(agent=bo)
    old.created_at = timezone.now() - timedelta(days=200)
    old.save()
    client.login(username=supervisor.user.username, password=PASSWORD)
    page = client.get(reverse("loyalty:kudos")).content.decode()
    assert "Dana was brilliant!" in page and "Bo went above" not in page
    year = client.get(reverse("loyalty:kudos"), {"from": "2000-01-01"}).content.decode()
    assert "Bo went above and beyond." in year
    billing = client.get(
        reverse("loyalty:kudos"), {"from": "2000-01-01", "team": other_team.pk}
    ).content.decode()
    assert "Bo went above" in billing and "Dana was brilliant" not in billing
