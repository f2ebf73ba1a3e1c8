"""Merging duplicate customers moves everything, is logged, and can be undone."""

import datetime as dt

import pytest

from regard.conversations.choices import EventKind
from regard.conversations.models import Event
from regard.customers.actions import (
    add_customer_note,
    add_moment,
    merge_customers,
    unmerge_customers,
    update_customer_profile,
)
from regard.customers.choices import MomentKind
from tests.factories import make_conversation, make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def duplicates(agent):
    source = make_customer("lukasz@work.example", "Łukasz Żółć")
    target = make_customer("lukasz.zolc@home.example", "Lukasz Zolc")
    update_customer_profile(agent.user, source, needs="Invoices in Polish", vip=True)
    make_conversation(source, subject="Faktura")
    make_conversation(target, subject="Delivery")
    add_customer_note(agent.user, source, "Prefers a call after 17:00")
    add_moment(agent.user, source, MomentKind.BIRTHDAY, dt.date(1990, 4, 2))
    return source, target


def test_a_customer_cannot_be_merged_into_itself(agent):
    customer = make_customer()
    with pytest.raises(ValueError, match="itself"):
        merge_customers(agent.user, customer, customer)


def test_merge_moves_conversations_notes_moments_and_identities(agent, duplicates):
    source, target = duplicates
    event = merge_customers(agent.user, source, target)
    target.refresh_from_db()
    source.refresh_from_db()
    assert target.conversations.count() == 2
    assert target.notes.count() == 1
    assert target.moments.filter(kind=MomentKind.BIRTHDAY).exists()
    assert {i.value for i in target.identities.all()} == {
        "lukasz@work.example",
        "lukasz.zolc@home.example",
    }
    assert target.needs == "Invoices in Polish" and target.vip
    assert source.merged_into == target
    assert event.kind == EventKind.CUSTOMERS_MERGED and event.actor == agent.user
    assert len(event.data["conversation_ids"]) == 1


def test_merging_an_already_merged_customer_is_refused(agent, duplicates):
    source, target = duplicates
    merge_customers(agent.user, source, target)
    with pytest.raises(ValueError, match="already merged"):
        merge_customers(agent.user, source, target)


def test_unmerge_restores_both_customers_from_the_audit_trail(agent, duplicates):
    source, target = duplicates
    before_source = sorted(source.conversations.values_list("pk", flat=True))
    event = merge_customers(agent.user, source, target)
    unmerge_customers(agent.user, event)
    source.refresh_from_db()
    target.refresh_from_db()
    assert sorted(source.conversations.values_list("pk", flat=True)) == before_source
    assert source.identities.get().value == "lukasz@work.example"
    assert source.notes.count() == 1 and target.notes.count() == 0
    assert target.needs == "" and not target.vip
    assert source.merged_into is None
    assert Event.objects.filter(kind=EventKind.CUSTOMERS_UNMERGED).count() == 1
    with pytest.raises(ValueError, match="already undone"):
        unmerge_customers(agent.user, event)


def test_profile_update_rejects_unknown_fields_and_logs_changes(agent):
    customer = make_customer(name="Oluwaseun Adébáyọ̀")
    with pytest.raises(ValueError, match="not a profile field"):
        update_customer_profile(agent.user, customer, is_staff=True)
    update_customer_profile(agent.user, customer, preferred_name="Seun")
    event = Event.objects.filter(kind=EventKind.CUSTOMER_UPDATED).get()
    assert event.data["changes"]["preferred_name"] == {"from": "", "to": "Seun"}
