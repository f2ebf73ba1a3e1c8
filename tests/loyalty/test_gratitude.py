"""Thank-you moments: the same for every customer whatever the agent, one draft per occurrence,
personal or flagged, and sent automatically only when admins allow it and the customer did not
opt out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from regard.conversations import actions
from regard.customers.actions import update_customer_profile
from regard.customers.models import Identity, Moment
from regard.loyalty import gratitude
from regard.loyalty.choices import DraftState, Occasion
from regard.loyalty.conf import policy
from regard.loyalty.models import GratitudeDraft
from tests.factories import make_agent, make_conversation, make_customer

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def solve(conversation, agent, at):
    actions.send_reply(agent.user, conversation, "All sorted now.", status="solved", at=at)


def test_the_same_moments_trigger_for_every_customer_whatever_the_agent(team):
    dana = make_agent("dana2", teams=[team], display_name="Dana Reyes")
    sam = make_agent("sam2", teams=[team], display_name="Sam Lee")
    for agent, name, subject in (
        (dana, "Ana Silva", "Blue kettle arrived cracked"),
        (sam, "Ben Okafor", "Invoice shows the wrong VAT number"),
    ):
        customer = make_customer(name=name, owner=agent)
        conversation = make_conversation(customer, subject=subject, at=NOW - timedelta(days=5))
        solve(conversation, agent, NOW - timedelta(days=1))
    assert gratitude.sweep(NOW) == 4, "first conversation and long wait, for both"
    drafts = GratitudeDraft.objects.order_by("customer__display_name", "occasion")
    assert [(d.customer.display_name, d.occasion) for d in drafts] == [
        ("Ana Silva", Occasion.FIRST_CONVERSATION),
        ("Ana Silva", Occasion.LONG_WAIT_SOLVED),
        ("Ben Okafor", Occasion.FIRST_CONVERSATION),
        ("Ben Okafor", Occasion.LONG_WAIT_SOLVED),
    ]
    assert {d.owner.display_name for d in drafts} == {"Dana Reyes", "Sam Lee"}
    assert gratitude.sweep(NOW) == 0, "idempotent: one draft per customer and moment"
    assert gratitude.sweep(NOW + timedelta(days=1)) == 0


def test_a_draft_names_the_customer_and_a_detail_of_theirs(agent):
    customer = make_customer(name="Ana Silva", owner=agent)
    update_customer_profile(
        agent.user, customer, preferred_name="Ana", wants="Tracking links in Spanish"
    )
    conversation = make_conversation(
        customer, subject="Blue kettle arrived cracked", at=NOW - timedelta(hours=5)
    )
    solve(conversation, agent, NOW - timedelta(hours=1))
    gratitude.sweep(NOW)
    draft = GratitudeDraft.objects.get(occasion=Occasion.FIRST_CONVERSATION)
    assert draft.state == DraftState.DRAFT, draft.flag_reason
    assert draft.text.startswith("Hi Ana,")
    assert "(Blue kettle arrived cracked)" in draft.text
    assert "Tracking links in Spanish" in draft.text
    assert draft.text.rstrip().endswith("Dana")
    assert draft.detail == "Blue kettle arrived cracked"


def test_a_draft_with_nothing_specific_is_flagged():
    customer = make_customer(name="")
    reason = gratitude.generic_reason(
        "Hi there, thanks!", "", "", Occasion.ANNIVERSARY, customer.pk
    )
    assert reason == "it does not use their name"
    reason = gratitude.generic_reason("Hi Ana, thanks!", "Ana", "", Occasion.ANNIVERSARY, 1)
    assert reason.startswith("it says nothing specific to them")


def test_the_coach_flags_a_draft_that_is_the_same_as_recent_ones(agent):
    template = (
        "Hi {name},\n\nThank you so much for being a wonderful customer of ours for such a long "
        "time. We really value your custom and hope to see you again soon at our store.\n\nDana"
    )
    for n, name in enumerate(("Ana", "Ben", "Chloé")):
        GratitudeDraft.objects.create(
            customer=make_customer(name=name),
            occasion=Occasion.ANNIVERSARY,
            occasion_key=f"anniversary:{n}",
            text=template.format(name=name),
            created_at=NOW,
        )
    text = template.format(name="Dmitri") + " (“Order 7”)"
    reason = gratitude.generic_reason(text, "Dmitri", "Order 7", Occasion.ANNIVERSARY, 999)
    assert "same as a recent reply" in reason


def test_anniversaries_feedback_and_long_waits(committed, agent):
    from regard.loyalty import surveys
    from regard.loyalty.models import Survey

    old = make_customer(name="Old Friend", owner=agent)
    make_conversation(old, subject="Setting up my account", at=NOW - timedelta(days=3 * 365 + 2))
    Moment.objects.filter(customer=old).update(date=(NOW - timedelta(days=3 * 365 + 1)).date())
    fan = make_customer(name="Feedback Giver", owner=agent)
    conversation = make_conversation(fan, subject="Gift wrapping", at=NOW - timedelta(hours=3))
    survey = Survey.objects.create(
        kind="csat", customer=fan, conversation=conversation, created_at=NOW
    )
    committed(lambda: surveys.answer_survey(survey, 5, now=NOW - timedelta(hours=1)))
    assert gratitude.sweep(NOW) >= 2
    occasions = set(GratitudeDraft.objects.values_list("customer__display_name", "occasion"))
    assert ("Old Friend", Occasion.ANNIVERSARY) in occasions
    assert ("Feedback Giver", Occasion.FEEDBACK_GIVEN) in occasions
    anniversary = GratitudeDraft.objects.get(occasion=Occasion.ANNIVERSARY)
    assert "3 years since you first wrote to us" in anniversary.text
    assert "Setting up my account" in anniversary.text


def test_admins_can_turn_a_moment_off(agent):
    rules = policy()
    rules.thank_first_conversation = rules.thank_long_wait = False
    rules.save()
    customer = make_customer(name="Ana Silva", owner=agent)
    solve(make_conversation(customer, at=NOW - timedelta(days=5)), agent, NOW - timedelta(days=1))
    assert gratitude.sweep(NOW) == 0


def _automatic():
    rules = policy()
    rules.send_thanks_automatically = True
    rules.thank_long_wait = False
    rules.save()


def test_automatic_thanks_are_sent_when_admins_allow_it(committed, agent):
    _automatic()
    customer = make_customer(name="Ana Silva", owner=agent)
    solve(
        make_conversation(customer, subject="Blue kettle", at=NOW - timedelta(hours=5)),
        agent,
        NOW - timedelta(hours=1),
    )
    mail.outbox.clear()
    committed(lambda: gratitude.sweep(NOW))
    draft = GratitudeDraft.objects.get()
    assert draft.state == DraftState.SENT and draft.sent_at == NOW
    [sent] = [m for m in mail.outbox if "Blue kettle" in m.body]
    assert sent.to == [customer.identities.get().value]


@pytest.mark.parametrize("why", ["no_marketing", "bouncing"])
def test_no_automatic_thanks_to_a_customer_who_opted_out_or_bounces(committed, agent, why):
    _automatic()
    customer = make_customer(name="Ana Silva", owner=agent)
    solve(
        make_conversation(customer, subject="Blue kettle", at=NOW - timedelta(hours=5)),
        agent,
        NOW - timedelta(hours=1),
    )
    if why == "no_marketing":
        customer.no_marketing = True
        customer.save()
    else:
        Identity.objects.filter(customer=customer).update(bouncing=True)
    mail.outbox.clear()
    committed(lambda: gratitude.sweep(NOW))
    assert GratitudeDraft.objects.get().state == DraftState.DRAFT, "left for the owner"
    assert mail.outbox == []


def test_someone_who_asked_and_did_not_buy_is_thanked_and_a_buyer_is_not(agent):
    rules = policy()
    rules.thank_question_without_purchase = True
    rules.thank_first_conversation = rules.thank_long_wait = False
    rules.save()
    asked_at, answered_at = NOW - timedelta(days=15, hours=2), NOW - timedelta(days=15)
    people = {}
    for name, bought in (("Ana Silva", False), ("Ben Okafor", True)):
        customer = make_customer(name=name, owner=agent)
        question = make_conversation(
            customer, subject="Does the grinder fit a 58 mm basket?", at=asked_at
        )
        actions.set_tags(agent.user, question, ["Pre-Sales"])
        solve(question, agent, answered_at)
        if bought:
            order = make_conversation(
                customer, subject="Order 5521 delivery", at=NOW - timedelta(days=3)
            )
            actions.set_tags(agent.user, order, ["order"])
        people[name] = customer
    assert gratitude.sweep(NOW) == 1
    draft = GratitudeDraft.objects.get()
    assert draft.customer == people["Ana Silva"]
    assert draft.occasion == Occasion.QUESTION_NO_PURCHASE and draft.state == DraftState.DRAFT
    assert "Does the grinder fit a 58 mm basket?" in draft.text and draft.text.startswith("Hi Ana")
    assert gratitude.sweep(NOW) == 0  # once per question
    rules.thank_question_without_purchase = False
    rules.save()
    GratitudeDraft.objects.all().delete()
    assert gratitude.sweep(NOW) == 0  # only when admins switch it on
