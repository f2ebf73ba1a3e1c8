"""The small queries behind the conversation page and the inbox run prepared (built once, run
with new values): each run answers for its own values and for the data as it is now."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from regard.accounts.models import Notification
from regard.accounts.notifications import mark_read, notify
from regard.conversations.models import Event
from regard.incidents.choices import IncidentStatus
from regard.incidents.models import AffectedCustomer, Incident
from regard.incidents.templatetags.incidents import incident_banner
from regard.loyalty.models import CustomerHealth, Kudos, Survey, SurveyAnswer
from regard.loyalty.templatetags.loyalty import loyalty_card
from regard.service.models import ServiceClock
from regard.service.querysets import first_due
from regard.web.inbox import PAGE, needs_attention, page_due
from regard.web.notifications import unread_for_inbox
from tests.factories import make_agent, make_conversation, make_customer

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def test_the_banner_shows_the_open_incidents_of_this_conversation_or_its_customer(agent):
    hana, oscar = make_customer(name="Hana"), make_customer(name="Oscar")
    first, second, theirs = (
        make_conversation(hana),
        make_conversation(hana),
        make_conversation(oscar),
    )
    incident = Incident.objects.create(
        title="Payments down", owner=agent, started_at=NOW, created_at=NOW
    )
    other = Incident.objects.create(title="Mail slow", owner=agent, started_at=NOW, created_at=NOW)
    by_customer = AffectedCustomer.objects.create(incident=incident, customer=hana, linked_at=NOW)
    by_conversation = AffectedCustomer.objects.create(
        incident=other, customer=oscar, conversation=second, linked_at=NOW
    )
    assert list(incident_banner(first)["links"]) == [by_customer]
    links = list(incident_banner(second)["links"])
    assert links == [by_customer, by_conversation]
    assert [link.incident.title for link in links] == ["Payments down", "Mail slow"]
    assert list(incident_banner(theirs)["links"]) == [by_conversation]
    Incident.objects.filter(pk=incident.pk).update(status=IncidentStatus.RESOLVED)
    assert list(incident_banner(second)["links"]) == [by_conversation]
    assert list(incident_banner(first)["links"]) == []


def test_the_loyalty_card_reads_health_answers_and_the_whole_kudos_count_each_time(agent):
    hana, oscar = make_customer(name="Hana"), make_customer(name="Oscar")
    card = loyalty_card(hana)
    assert (card["health"], card["answers"], card["kudos"]) == (None, [], 0)
    CustomerHealth.objects.create(
        customer=hana, score=40, risk=60, value=10, reasons=[], computed_at=NOW
    )
    answers = []
    for days, kind in enumerate(["csat", "nps", "csat", "csat"]):
        survey = Survey.objects.create(kind=kind, customer=hana, created_at=NOW)
        answers.append(
            SurveyAnswer.objects.create(
                survey=survey, score=3, answered_at=NOW - timedelta(days=days)
            )
        )
    Kudos.objects.bulk_create(
        Kudos(agent=agent, customer=hana, quote=f"Thanks {n}", created_at=NOW) for n in range(150)
    )
    Kudos.objects.create(agent=agent, customer=oscar, quote="Great", created_at=NOW)
    card = loyalty_card(hana)
    assert card["health"].risk == 60 and card["kudos"] == 150
    assert [answer for answer, _ in card["answers"]] == answers[:3]  # newest first, three
    assert [top for _, top in card["answers"]] == [5, 10, 5]
    assert loyalty_card(oscar)["kudos"] == 1 and loyalty_card(oscar)["health"] is None
    CustomerHealth.objects.filter(pk=hana.pk).update(risk=20)
    Kudos.objects.filter(customer=hana)[:1].get().delete()
    card = loyalty_card(hana)
    assert card["health"].risk == 20 and card["kudos"] == 149


def test_needs_attention_is_the_agents_recent_events_as_of_the_time_given(agent):
    mine = make_conversation(assignee=agent, subject="Mine")
    theirs = make_conversation(assignee=make_agent("olga"), subject="Theirs")
    Event.objects.filter(kind__in=["promise.broken", "message.failed"]).delete()

    def event(conversation, kind, hours_ago):
        return Event.objects.create(
            kind=kind, conversation=conversation, created_at=NOW - timedelta(hours=hours_ago)
        )

    recent = event(mine, "promise.broken", 1)
    old = event(mine, "message.failed", 60)
    event(theirs, "promise.broken", 1)
    event(mine, "message.received", 1)
    found = needs_attention(agent, NOW)
    assert found == [recent] and found[0].conversation.subject == "Mine"
    assert needs_attention(agent, NOW + timedelta(hours=48)) == []
    assert needs_attention(agent, NOW - timedelta(hours=13)) == [recent, old]
    newer = [event(mine, "service.warning", 2 + n / 10) for n in range(10)]
    assert needs_attention(agent, NOW) == [recent, *newer[:7]]
    assert needs_attention(agent, NOW, limit=3) == [recent, *newer[:2]]


def test_the_inbox_notifications_are_the_unread_ones_now(agent):
    for n in range(7):
        notify(agent, "note", f"Note {n}", key=f"n{n}", url="/x", at=NOW - timedelta(minutes=n))
    notify(make_agent("olga"), "note", "Not for Dana", key="other", at=NOW)
    shown = unread_for_inbox(agent)
    assert [n.text for n in shown] == [f"Note {n}" for n in range(5)]
    assert {n.link for n in shown} == {"/x"}
    mark_read(agent, ids=[shown[0].pk, shown[1].pk])
    assert [n.text for n in unread_for_inbox(agent)] == [f"Note {n}" for n in range(2, 7)]
    assert len(unread_for_inbox(agent, limit=1)) == 1
    mark_read(agent)
    assert unread_for_inbox(agent) == [] and Notification.objects.filter(recipient=agent).count()


def test_a_pages_due_times_are_those_of_its_own_conversations_at_any_page_size():
    customer = make_customer(name="Hana")
    conversations = [make_conversation(customer) for _ in range(3)]
    ServiceClock.objects.all().delete()
    ids = [conversation.pk for conversation in conversations]
    clock = {"metric": "first_reply", "target_minutes": 60, "started_at": NOW}
    ServiceClock.objects.create(conversation_id=ids[0], due_at=NOW + timedelta(hours=3), **clock)
    ServiceClock.objects.create(conversation_id=ids[0], due_at=NOW + timedelta(hours=1), **clock)
    ServiceClock.objects.create(
        conversation_id=ids[1], due_at=NOW, stopped_at=NOW, **clock
    )  # stopped: not due
    ServiceClock.objects.create(conversation_id=ids[2], due_at=NOW + timedelta(hours=2), **clock)
    assert dict(page_due(ids)) == {
        ids[0]: NOW + timedelta(hours=1),
        ids[2]: NOW + timedelta(hours=2),
    }
    assert dict(page_due([ids[2]])) == {ids[2]: NOW + timedelta(hours=2)}
    assert dict(page_due([ids[1]])) == {} and page_due([]) == []
    many = [*ids, *range(10**6, 10**6 + PAGE)]  # more than a page: asked as a list
    assert dict(page_due(many)) == dict(first_due(many)) == dict(page_due(ids))
    ServiceClock.objects.filter(conversation_id=ids[2]).update(due_at=NOW)
    assert dict(page_due(ids))[ids[2]] == NOW


def test_the_conversation_count_is_the_customers_as_it_is_now():
    from regard.web.conversation_page import CONVERSATION_COUNT

    customer, other = make_customer(), make_customer()
    assert CONVERSATION_COUNT(customer.pk) == 0
    make_conversation(customer)
    make_conversation(other)
    assert CONVERSATION_COUNT(customer.pk) == 1
    make_conversation(customer)
    assert CONVERSATION_COUNT(customer.pk) == 2 == customer.conversations.count()
