"""The indifference radar: one test per reason, a healthy customer with none, the bulk rewrite,
query counts that do not grow with customers, and the daily digest to owners."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from regard.accounts.models import Notification
from regard.commitments.actions import break_overdue_commitments
from regard.commitments.models import Commitment
from regard.conversations import actions
from regard.conversations.events import record_event
from regard.conversations.models import Message
from regard.loyalty import radar
from regard.loyalty.choices import SurveyKind
from regard.loyalty.models import CustomerHealth, Survey, SurveyAnswer
from regard.loyalty.sweeps import send_digests
from tests.factories import make_agent, make_conversation, make_customer

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def reasons(customer, now=NOW) -> dict[str, str]:
    radar.recompute(now)
    health = CustomerHealth.objects.filter(customer=customer).first()
    return {r["code"]: r["text"] for r in health.reasons} if health else {}


def test_a_customer_without_trouble_is_healthy():
    customer = make_customer(name="Calm")
    conversation = make_conversation(customer, at=NOW - timedelta(days=3))
    actions.change_status(None, conversation, "solved", at=NOW - timedelta(days=2))
    assert radar.recompute(NOW) == 0
    assert not CustomerHealth.objects.filter(customer=customer).exists(), "no row: healthy"


def test_unanswered_messages_and_how_long():
    customer = make_customer(name="Waiting")
    make_conversation(customer, at=NOW - timedelta(days=3, hours=2))
    assert reasons(customer)["unanswered"] == "waiting for our answer for 3 days"


def test_a_message_of_a_few_minutes_is_not_yet_a_risk():
    customer = make_customer(name="Just Wrote")
    make_conversation(customer, at=NOW - timedelta(minutes=20))
    assert "unanswered" not in reasons(customer)


def _promise(agent, customer, due):
    conversation = make_conversation(customer, at=due - timedelta(days=1))
    actions.send_reply(
        agent.user, conversation, "I will call you tomorrow at 10am.", at=due - timedelta(days=1)
    )
    return Commitment.objects.get(conversation=conversation)


def test_broken_promises(agent):
    customer = make_customer(name="Let Down")
    commitment = _promise(agent, customer, NOW - timedelta(days=5))
    break_overdue_commitments(NOW)
    commitment.refresh_from_db()
    assert commitment.state == "broken"
    assert reasons(customer)["broken_promise"] == "1 promise to them broken in 90 days"


def test_overdue_promises(agent):
    customer = make_customer(name="Still Owed")
    _promise(agent, customer, NOW - timedelta(days=2))
    assert reasons(customer)["overdue_promise"] == "1 promise to them overdue"


def test_repeat_contacts_about_the_same_issue():
    customer = make_customer(name="Again")
    for days, subject in (
        (20, "Refund not received"),
        (9, "Re: refund still not received"),
        (2, "REFUND not received yet"),
        (1, "New address"),
    ):
        make_conversation(customer, subject=subject, at=NOW - timedelta(days=days))
    text = reasons(customer)["repeat_contact"]
    assert text == "wrote 3 times in 30 days about “Refund not received”"


def test_different_subjects_are_not_repeat_contacts():
    customer = make_customer(name="Varied")
    for days, subject in ((20, "Refund not received"), (9, "Change my address")):
        make_conversation(customer, subject=subject, at=NOW - timedelta(days=days))
    assert "repeat_contact" not in reasons(customer)


def test_a_negative_emotion_trend():
    customer = make_customer(name="Souring")
    make_conversation(customer, text="Thank you, lovely service.", at=NOW - timedelta(days=50))
    for days in (12, 5):
        make_conversation(
            customer,
            subject=f"Problem {days}",
            text="This is unacceptable, I am furious. Nobody answers and I want a refund NOW.",
            at=NOW - timedelta(days=days),
        )
    assert reasons(customer)["negative_trend"].startswith("2 of their 2 messages this month")


def test_low_survey_answers():
    customer = make_customer(name="Unhappy")
    survey = Survey.objects.create(kind=SurveyKind.NPS, customer=customer, created_at=NOW)
    SurveyAnswer.objects.create(survey=survey, score=3, answered_at=NOW - timedelta(days=4))
    assert reasons(customer)["low_survey"] == "answered 3 of 10 to Would recommend (NPS)"


def test_long_silence_for_a_valued_customer(agent):
    recent = make_customer(name="Recently Touched", vip=True)
    touched = make_conversation(recent, at=NOW - timedelta(days=90))
    actions.send_reply(agent.user, touched, "Checking in!", at=NOW - timedelta(days=10))
    vip = make_customer(name="Quiet Vip", vip=True)
    conversation = make_conversation(vip, at=NOW - timedelta(days=120))
    actions.send_reply(agent.user, conversation, "Done!", at=NOW - timedelta(days=119))
    regular = make_customer(name="Quiet Regular")
    make_conversation(regular, at=NOW - timedelta(days=120))
    assert reasons(vip)["silence"] == "VIP, and no personal message from us in 60 days"
    assert "silence" not in reasons(regular)
    assert "silence" not in reasons(recent)


def test_many_conversations_make_a_customer_valued(agent):
    loyal = make_customer(name="Loyal")
    for n in range(5):
        make_conversation(loyal, subject=f"Order {n} question", at=NOW - timedelta(days=200 + n))
    assert reasons(loyal)["silence"] == (
        "5 conversations with us, and no personal message from us in 60 days"
    )


def test_escalations():
    customer = make_customer(name="Escalated")
    conversation = make_conversation(customer, at=NOW - timedelta(days=9))
    actions.change_status(None, conversation, "solved", at=NOW - timedelta(days=8))
    record_event("service.breached", conversation=conversation, at=NOW - timedelta(days=8))
    record_event("service.escalated", conversation=conversation, at=NOW - timedelta(days=8))
    assert reasons(customer)["escalation"] == "escalated twice in 60 days"


def test_reasons_add_up_to_the_risk_and_the_riskiest_come_first():
    customer = make_customer(name="Many Troubles", vip=True)
    make_conversation(customer, at=NOW - timedelta(days=4))
    survey = Survey.objects.create(kind=SurveyKind.CSAT, customer=customer, created_at=NOW)
    SurveyAnswer.objects.create(survey=survey, score=1, answered_at=NOW)
    radar.recompute(NOW)
    health = CustomerHealth.objects.get(customer=customer)
    assert health.risk == sum(r["points"] for r in health.reasons) == 90
    assert health.score == 10 and health.value == 55
    assert [r["code"] for r in health.reasons] == ["unanswered", "low_survey", "silence"]


def test_a_recompute_rewrites_every_row_and_drops_merged_and_recovered_customers(supervisor, agent):
    from regard.customers.actions import merge_customers

    keep, twin = make_customer(name="Keep"), make_customer(name="Twin")
    recovered = make_customer(name="Recovered")
    for customer in (keep, twin, recovered):
        make_conversation(customer, subject=customer.name, at=NOW - timedelta(days=3))
    assert radar.recompute(NOW) == 3
    merge_customers(supervisor.user, twin, keep)
    answered = recovered.conversations.get()
    actions.send_reply(agent.user, answered, "Sorry for the wait!", at=NOW)
    assert radar.recompute(NOW + timedelta(hours=1)) == 1
    assert list(CustomerHealth.objects.values_list("customer_id", "computed_at")) == [
        (keep.pk, NOW + timedelta(hours=1))
    ]


def test_the_number_of_queries_does_not_grow_with_customers(django_assert_max_num_queries):
    make_conversation(make_customer(name="First"), at=NOW - timedelta(days=3))
    with django_assert_max_num_queries(20) as few:
        radar.recompute(NOW)
    for n in range(15):
        make_conversation(make_customer(name=f"More {n}"), at=NOW - timedelta(days=3))
    with django_assert_max_num_queries(len(few.captured_queries)):
        radar.recompute(NOW)


def test_each_owner_gets_one_digest_a_day_of_their_customers_at_risk(team):
    owner = make_agent("olga", teams=[team], display_name="Olga Owner")
    for name in ("Ana Risk", "Ben Risk"):
        customer = make_customer(name=name, owner=owner)
        make_conversation(customer, at=NOW - timedelta(days=4))
        survey = Survey.objects.create(kind=SurveyKind.CSAT, customer=customer, created_at=NOW)
        SurveyAnswer.objects.create(survey=survey, score=1, answered_at=NOW)
    make_conversation(make_customer(name="Nobody's"), at=NOW - timedelta(days=4))
    radar.recompute(NOW)
    assert send_digests(NOW) == 1
    assert send_digests(NOW + timedelta(hours=2)) == 0
    digest = Notification.objects.get(recipient=owner)
    assert digest.text.startswith("2 of your customers are drifting away: ")
    assert "Ana Risk (waiting for our answer for 4 days)" in digest.text
    assert Message.objects.count() == 3, "a digest is a notification, not mail to customers"
