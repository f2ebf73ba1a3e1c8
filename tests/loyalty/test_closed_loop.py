"""The closed loop: an unhappy answer opens a follow-up for the customer's person; a promoter is
invited only when admins want it and the customer consents."""

from __future__ import annotations

import pytest
from django.core import mail

from regard.accounts.models import Notification
from regard.conversations.choices import Direction, Priority
from regard.conversations.models import Conversation
from regard.loyalty import surveys
from regard.loyalty.choices import SurveyKind
from regard.loyalty.conf import policy
from regard.loyalty.models import Survey, SurveyAnswer
from tests.factories import make_agent, make_customer
from tests.loyalty.helpers import solved, survey_of

pytestmark = pytest.mark.django_db


def test_a_low_csat_opens_a_follow_up_for_the_customers_person(committed, agent, team):
    owner = make_agent("olga", teams=[team], display_name="Olga Owner")
    customer = make_customer(name="Ana Silva", owner=owner)
    conversation = solved(committed, agent, customer=customer, subject="Broken kettle", team=team)
    answer = committed(lambda: surveys.answer_survey(survey_of(conversation), 2))
    follow_up = answer.follow_up
    assert follow_up.assignee == owner
    assert follow_up.priority == Priority.HIGH
    assert follow_up.linked_from == conversation
    assert follow_up.team == team
    assert list(follow_up.tags.values_list("name", flat=True)) == ["follow-up"]
    assert follow_up.waiting_since is not None, "it waits on us, so the inbox shows it"
    [said] = follow_up.messages.filter(direction=Direction.INBOUND)
    assert said.text_new == "How happy are you with the help you got? 2/5"
    note = follow_up.messages.get(direction=Direction.NOTE)
    assert "answered 2 on the Satisfaction (CSAT) scale 1–5" in note.text_new
    assert "Broken kettle" in note.text_new and "Dana Reyes helped them" in note.text_new
    assert Notification.objects.filter(recipient=owner, kind="survey_follow_up").count() == 1


def test_without_an_owner_the_follow_up_goes_to_the_agent_who_helped(committed, agent):
    conversation = solved(committed, agent)
    answer = committed(lambda: surveys.answer_survey(survey_of(conversation), 1))
    assert answer.follow_up.assignee == agent


def test_a_comment_on_an_unhappy_answer_joins_the_follow_up(committed, agent):
    conversation = solved(committed, agent)
    answer = committed(lambda: surveys.answer_survey(survey_of(conversation), 1))
    committed(lambda: surveys.add_comment(answer, "Nobody called me back."))
    said = answer.follow_up.messages.filter(direction=Direction.INBOUND).order_by("id")
    assert [m.text_new for m in said] == [
        "How happy are you with the help you got? 1/5",
        "Nobody called me back.",
    ]


def test_an_nps_detractor_opens_a_follow_up_but_a_passive_does_not(committed, agent):
    detractor = make_customer(name="Det Ractor")
    passive = make_customer(name="Pas Sive")
    now = survey_of(solved(committed, agent, customer=detractor)).created_at
    for customer, score in ((detractor, 6), (passive, 7)):
        survey = Survey.objects.create(kind=SurveyKind.NPS, customer=customer, created_at=now)
        committed(lambda s=survey, n=score: surveys.answer_survey(s, n))
    assert SurveyAnswer.objects.get(survey__customer=detractor, score=6).follow_up is not None
    assert SurveyAnswer.objects.get(survey__customer=passive).follow_up is None


def test_a_happy_csat_opens_nothing(committed, agent):
    conversation = solved(committed, agent)
    before = Conversation.objects.count()
    answer = committed(lambda: surveys.answer_survey(survey_of(conversation), 3))
    assert answer.follow_up is None and Conversation.objects.count() == before


def _promoter(committed, agent, **profile):
    customer = make_customer(name="Pro Moter", **profile)
    survey = Survey.objects.create(
        kind=SurveyKind.NPS,
        customer=customer,
        agent=agent,
        created_at=solved(committed, agent, customer=customer).created_at,
    )
    mail.outbox.clear()
    committed(lambda: surveys.answer_survey(survey, 10))
    return [m for m in mail.outbox if "/loyalty/r/" in m.body]


def test_promoters_are_not_invited_unless_admins_turn_it_on(committed, agent):
    assert _promoter(committed, agent) == []


def test_an_invited_promoter_gets_a_referral_link_and_the_review_page(committed, agent):
    rules = policy()
    rules.invite_promoters, rules.review_url = True, "https://reviews.example/acme"
    rules.save()
    [invitation] = _promoter(committed, agent)
    assert "https://reviews.example/acme" in invitation.body
    assert "/loyalty/unsubscribe/" in invitation.body


def test_a_promoter_who_declined_marketing_is_not_invited(committed, agent):
    rules = policy()
    rules.invite_promoters = True
    rules.save()
    assert _promoter(committed, agent, no_marketing=True) == []


def test_a_referral_link_brings_a_new_customer_who_remembers_the_referrer(client, committed, agent):
    from regard.customers.models import Customer
    from regard.loyalty.mail import referral_url

    referrer = make_customer(name="Pro Moter")
    path = referral_url(referrer).removeprefix("http://testserver")
    assert client.get(path).status_code == 200
    bad = client.post(path, {"name": "Zed", "email": "not an address", "message": "Hi"})
    assert bad.status_code == 400
    response = client.post(
        path, {"name": "Zed Friend", "email": "zed@example.net", "message": "Pro sent me."}
    )
    assert response.status_code == 200
    friend = Customer.objects.get(identities__value="zed@example.net")
    assert friend.referred_by == referrer
    existing = make_customer("old@example.net", name="Old Timer")
    client.post(path, {"name": "Old", "email": "old@example.net", "message": "Hello again"})
    existing.refresh_from_db()
    assert existing.referred_by is None, "a link cannot claim an existing customer"
