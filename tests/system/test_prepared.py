"""Prepared querysets: the rows the queryset gives, with new values each run, on the thread's own
connection; builds whose SQL does not depend on the slots alone are refused."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from regard.conversations.models import Conversation
from regard.customers.models import Customer, Identity
from regard.system.prepared import Prepared, PreparedQueryError
from tests.factories import make_conversation, make_customer

pytestmark = pytest.mark.django_db

CONVERSATIONS = Prepared(
    lambda customer, status: (
        Conversation.objects.filter(customer_id=customer, status=status)
        .select_related("customer", "assignee")
        .order_by("-id")
    ),
    customer=int,
    status=str,
)
SUBJECTS = Prepared(
    lambda since: (
        Conversation.objects.filter(created_at__gte=since)
        .order_by("id")
        .values_list("subject", flat=True)
    ),
    since=datetime,
)


def test_each_run_answers_for_its_own_values_with_related_rows_in_the_same_query():
    hana, oscar = make_customer(name="Hana Okafor"), make_customer(name="Oscar Lind")
    first, second = make_conversation(hana, subject="one"), make_conversation(hana, subject="two")
    make_conversation(oscar, subject="three")
    for customer, expected in ((hana, [second, first]), (oscar, None), (hana, [second, first])):
        with CaptureQueriesContext(connection) as queries:
            rows = CONVERSATIONS(customer=customer.pk, status=first.status)
            names = {row.customer.name for row in rows}
        assert len(queries) == 1
        wanted = expected or list(Conversation.objects.filter(customer=oscar).order_by("-id"))
        assert rows == wanted and names == {customer.name}
    assert CONVERSATIONS(customer=hana.pk, status="closed") == []


def test_flat_values_and_a_datetime_slot():
    make_conversation(subject="old")
    Conversation.objects.update(created_at=timezone.now() - timedelta(days=3))
    make_conversation(subject="new")
    assert SUBJECTS(since=timezone.now() - timedelta(days=1)) == ["new"]
    assert SUBJECTS(since=timezone.now() - timedelta(days=5)) == ["old", "new"]


def test_dicts_and_prefetched_rows():
    customer = make_customer("hana@example.com", name="Hana")
    Identity.objects.create(customer=customer, kind="phone", value="+4512345678")
    with_identities = Prepared(
        lambda pk: Customer.objects.filter(pk=pk).prefetch_related(
            Prefetch("identities", Identity.objects.order_by("value"))
        ),
        pk=int,
    )
    (found,) = with_identities(pk=customer.pk)
    with CaptureQueriesContext(connection) as queries:
        values = [identity.value for identity in found.identities.all()]
    assert values == ["+4512345678", "hana@example.com"] and len(queries) == 0
    names = Prepared(lambda pk: Customer.objects.filter(pk=pk).values("id", "display_name"), pk=int)
    assert names(pk=customer.pk) == [{"id": customer.pk, "display_name": "Hana"}]
    assert names(pk=customer.pk + 1000) == []


@pytest.mark.django_db(transaction=True)
def test_another_thread_runs_on_its_own_connection():
    customer = make_customer(name="Hana")
    conversation = make_conversation(customer)
    CONVERSATIONS(customer=customer.pk, status=conversation.status)  # compiled on this thread
    found, errors = [], []

    def run():
        try:
            found.extend(CONVERSATIONS(customer=customer.pk, status=conversation.status))
        except Exception as exc:  # noqa: BLE001 - handed to the test's thread
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert not errors and found == [conversation]


@pytest.mark.parametrize(
    ("build", "value", "message"),
    [
        (lambda pk: Customer.objects.all(), 1, "not values"),
        (lambda pk: Customer.objects.filter(display_name__startswith=pk), "x", "no slot"),
        (lambda pk: Customer.objects.filter(pk=pk, created_at__lte=timezone.now()), 1, "no slot"),
    ],
    ids=["unused", "changed-on-the-way", "a-value-from-elsewhere"],
)
def test_a_build_that_does_not_depend_on_its_slots_alone_is_refused(build, value, message):
    prepared = Prepared(build, pk=type(value))
    with pytest.raises(PreparedQueryError, match=message):
        prepared(pk=value)


def test_wrong_slots_and_values_are_clear_errors():
    with pytest.raises(TypeError, match="slots must be"):
        Prepared(lambda pk: Customer.objects.filter(pk=pk), pk=float)
    with pytest.raises(TypeError, match="expected the slots"):
        CONVERSATIONS(customer=1)
    with pytest.raises(TypeError, match="is not int"):
        CONVERSATIONS(customer="1", status="new")


def test_an_integer_beyond_the_database_range_is_a_value_error():
    with pytest.raises(ValueError, match="out of the database's integer range"):
        CONVERSATIONS(customer=2**63, status="new")


def test_a_prepared_count_counts_anew_each_run_and_refuses_a_bad_value():
    from regard.system.prepared import PreparedCount

    identities = PreparedCount(Identity, "customer_id")
    customer = make_customer()
    before = identities(customer.pk)
    assert before == Identity.objects.filter(customer=customer).count()
    Identity.objects.create(customer=customer, kind="email", value="second@example.com")
    assert identities(customer.pk) == before + 1
    assert identities(customer.pk + 1000) == 0
    with pytest.raises(ValueError):
        identities(2**63)
