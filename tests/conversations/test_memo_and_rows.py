"""The inbound pipeline's shortcuts: a per-batch memo that never outlives its batch, and
hand-written single-row SQL that gives the same rows and instances as the ORM."""

from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, connection

from regard.conversations.memo import batch_memo, remembered
from regard.conversations.models import Conversation, Event
from regard.conversations.rows import columns, from_row, insert_row, update_row
from regard.customers.actions import resolve_customer
from regard.customers.models import Customer, Identity, Organization


def test_a_memo_reads_once_per_batch_and_not_at_all_outside_one():
    reads = []

    def read():
        reads.append(1)
        return len(reads)

    assert remembered("key", read) == 1
    assert remembered("key", read) == 2  # no batch: every call reads
    with batch_memo():
        assert remembered("key", read) == 3
        assert remembered("key", read) == 3
    with batch_memo():
        assert remembered("key", read) == 4  # a new batch forgets the last one
    assert remembered("key", read) == 5


def test_a_memo_is_closed_even_when_its_batch_fails():
    with pytest.raises(RuntimeError), batch_memo():
        remembered("key", lambda: "inside")
        raise RuntimeError("the batch failed")
    assert remembered("key", lambda: "fresh") == "fresh"


def _same(a, b):
    for field in type(a)._meta.concrete_fields:
        got, expected = getattr(a, field.attname), getattr(b, field.attname)
        assert got == expected and isinstance(got, type(expected)), field.name


@pytest.mark.django_db
def test_a_looked_up_sender_is_the_identity_and_customer_the_orm_would_load():
    made = resolve_customer("email", "ana@example.com", "Ana")
    organization = Organization.objects.create(name="Acme")
    Customer.objects.filter(pk=made.customer.pk).update(vip=True, organization=organization)
    Identity.objects.filter(pk=made.identity.pk).update(verified=True)

    found = resolve_customer("email", "ANA@example.com", "Other")

    assert not found.created
    expected = Identity.objects.select_related("customer").get(pk=made.identity.pk)
    _same(found.identity, expected)
    _same(found.customer, expected.customer)
    assert found.identity.customer is found.customer
    assert found.customer.organization == organization
    assert not found.identity._state.adding and found.identity._state.db == "default"


@pytest.mark.django_db
def test_rows_written_by_hand_read_back_as_the_orm_writes_them():
    customer = resolve_customer("email", "ben@example.com").customer
    at = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    event = Event(kind="test", customer_id=customer.pk, data={"é": [1, None]}, created_at=at)
    insert_row(event)
    assert event.pk and not event._state.adding
    _same(event, Event.objects.get(pk=event.pk))

    conversation = Conversation(customer=customer, subject="Hi", channel="email", created_at=at)
    insert_row(conversation)
    stored = Conversation.objects.get(pk=conversation.pk)
    _same(conversation, stored)
    conversation.emotion, conversation.upset = "anger", True
    update_row(conversation, ["emotion", "upset", "updated_at"])
    stored.refresh_from_db()
    assert (stored.emotion, stored.upset) == ("anger", True)
    assert stored.updated_at == conversation.updated_at > at

    with connection.cursor() as cursor:
        table = Conversation._meta.db_table
        cursor.execute(f"SELECT {columns(Conversation, 'c')} FROM {table} c")  # noqa: S608
        _same(from_row(Conversation, cursor.fetchone()), stored)


@pytest.mark.django_db
def test_updating_a_row_that_is_gone_fails_like_the_orm():
    customer = resolve_customer("email", "cleo@example.com").customer
    Customer.objects.filter(pk=customer.pk).delete()
    with pytest.raises(DatabaseError):
        update_row(customer, ["display_name"])


@pytest.mark.django_db
def test_values_that_need_preparing_are_prepared_and_many_rows_go_in_at_once():
    from django.utils.functional import lazy

    from regard.channels.models import ThreadReference
    from regard.conversations.models import Message
    from regard.conversations.rows import insert_rows

    customer = resolve_customer("email", "dan@example.com").customer
    at = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    lazy_subject = lazy(lambda: "Lazy subject", str)()
    conversation = Conversation(
        customer_id=customer.pk, subject=lazy_subject, channel="email", created_at=at, upset=1
    )
    insert_row(conversation)
    stored = Conversation.objects.get(pk=conversation.pk)
    assert (stored.subject, stored.upset) == ("Lazy subject", True)
    message = Message(
        conversation=conversation,
        direction="inbound",
        channel="email",
        text_full="x",
        created_at=at,
    )
    insert_row(message)
    insert_rows([ThreadReference(message=message, ref=f"r{n}@example.com") for n in range(3)])
    insert_rows([])
    refs = ThreadReference.objects.filter(message=message).order_by("pk")
    assert list(refs.values_list("ref", flat=True)) == [f"r{n}@example.com" for n in range(3)]
