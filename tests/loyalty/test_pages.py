"""The radar page and reaching out, thank-you drafts, advocates, and the customer card."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from regard.conversations.models import Conversation
from regard.customers.actions import update_customer_profile
from regard.loyalty import gratitude, radar
from regard.loyalty.choices import DraftState, Occasion
from regard.loyalty.models import GratitudeDraft, Survey, SurveyAnswer
from tests.factories import PASSWORD, make_conversation, make_customer

pytestmark = pytest.mark.django_db
NOW = timezone.now()


@pytest.fixture
def signed_in(client, agent):
    client.login(username=agent.user.username, password=PASSWORD)
    return client


def drifting(agent, team, name="Ana Silva"):
    customer = make_customer(name=name, owner=agent, vip=True)
    update_customer_profile(agent.user, customer, preferred_name="Ana", wants="Calls after 6pm")
    make_conversation(
        customer, subject="Blue kettle arrived cracked", team=team, at=NOW - timedelta(days=4)
    )
    radar.recompute()
    return customer


def test_the_radar_lists_customers_drifting_away_with_reasons(signed_in, agent, team):
    drifting(agent, team)
    make_customer(name="Fine Customer", owner=agent)
    radar.recompute()
    page = signed_in.get(reverse("loyalty:radar")).content.decode()
    assert "Ana Silva" in page and "Fine Customer" not in page
    assert "waiting for our answer for 4 days" in page
    assert "Reach out" in page


def test_an_agent_sees_only_the_customers_they_may_see(client, team):
    from regard.accounts.choices import Role
    from tests.factories import make_agent, make_team

    drifting(make_agent("olga", teams=[team]), team)
    make_agent("out", teams=[make_team("Billing")], role=Role.AGENT)
    client.login(username="out", password=PASSWORD)
    assert "Ana Silva" not in client.get(reverse("loyalty:radar")).content.decode()


def test_reach_out_opens_a_conversation_with_a_personal_draft(signed_in, agent, team):
    customer = drifting(agent, team)
    response = signed_in.post(reverse("loyalty:reach_out", args=[customer.pk]))
    conversation = Conversation.objects.filter(customer=customer).latest("id")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:conversation", args=[conversation.pk])
    assert conversation.assignee == agent
    page = signed_in.get(response["Location"]).content.decode()
    assert "Hi Ana," in page
    assert "Blue kettle arrived cracked" in page and "Calls after 6pm" in page
    assert "I&#x27;m sorry you&#x27;ve been waiting on us" in page


def test_the_draft_leaves_the_composer_once_a_reply_is_sent(signed_in, agent, team):
    from regard.conversations import actions
    from regard.loyalty.drafts import draft_for

    customer = drifting(agent, team)
    signed_in.post(reverse("loyalty:reach_out", args=[customer.pk]))
    conversation = Conversation.objects.filter(customer=customer).latest("id")
    assert draft_for(conversation).startswith("Hi Ana,")
    actions.send_reply(agent.user, conversation, "Hi Ana, checking in.")
    assert draft_for(conversation) == ""


def test_thank_you_drafts_can_be_opened_or_dismissed(signed_in, agent):
    customer = make_customer(name="Ana Silva", owner=agent)
    conversation = make_conversation(customer, subject="Blue kettle", at=NOW - timedelta(hours=5))
    from regard.conversations import actions

    actions.send_reply(agent.user, conversation, "Sorted.", status="solved")
    gratitude.sweep()
    page = signed_in.get(reverse("loyalty:gratitude")).content.decode()
    assert "First conversation" in page and "Blue kettle" in page
    draft = GratitudeDraft.objects.get(occasion=Occasion.FIRST_CONVERSATION)
    response = signed_in.post(reverse("loyalty:open_draft", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.state == DraftState.OPENED
    assert response["Location"] == reverse("web:conversation", args=[draft.conversation_id])
    signed_in.post(reverse("loyalty:dismiss_draft", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.state == DraftState.DISMISSED


def test_advocates_are_promoters_complimenters_and_referrers(signed_in, agent):
    promoter = make_customer(name="Pro Moter", owner=agent)
    survey = Survey.objects.create(kind="nps", customer=promoter, created_at=NOW)
    SurveyAnswer.objects.create(survey=survey, score=10, answered_at=NOW)
    make_customer(name="New Friend", referred_by=promoter)
    make_conversation(promoter)
    make_customer(name="Nobody Special", owner=agent)
    page = signed_in.get(reverse("loyalty:advocates")).content.decode()
    assert "Pro Moter" in page and "promoter" in page and "never" in page
    assert "Nobody Special" not in page


def test_the_customer_card_shows_health_and_answers(signed_in, agent, team):
    customer = drifting(agent, team)
    conversation = customer.conversations.get()
    survey = Survey.objects.create(kind="csat", customer=customer, created_at=NOW)
    SurveyAnswer.objects.create(survey=survey, score=2, comment="Too slow", answered_at=NOW)
    radar.recompute()
    page = signed_in.get(reverse("web:conversation", args=[conversation.pk])).content.decode()
    assert "Loyalty" in page and "Satisfaction (CSAT): <strong>2/5</strong>" in page
    assert "“Too slow”" in page and "answered 2 of 5" in page
