"""One address, one person: identity normalisation and resolution."""

import threading

import pytest
from django.db import connection

from regard.customers.actions import resolve_customer
from regard.customers.choices import IdentityKind
from regard.customers.identities import InvalidIdentity, normalize, normalize_email
from regard.customers.models import Customer, Identity


@pytest.mark.parametrize(
    "value",
    ["", "   ", "no-at-sign", "two@@example.com", "a b@example.com", "@example.com", "x@"],
)
def test_malformed_email_is_refused_with_a_clear_error(value):
    with pytest.raises(InvalidIdentity, match="e-mail address"):
        normalize_email(value)


def test_non_text_identity_is_refused():
    with pytest.raises(InvalidIdentity):
        normalize(IdentityKind.EMAIL, None)


def test_unknown_kind_is_refused():
    with pytest.raises(InvalidIdentity, match="unknown identity kind"):
        normalize("fax", "123")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Dana@Example.COM", "dana@example.com"),
        ("  <dana@example.com>  ", "dana@example.com"),
        ("zoë@Bücher.example", "zoë@xn--bcher-kva.example"),
        ("ZOE\u0308@example.com", "zoë@example.com"),
    ],
)
def test_email_normalisation(raw, expected):
    assert normalize_email(raw) == expected


def test_phone_normalisation_keeps_digits_and_plus():
    assert normalize(IdentityKind.PHONE, "0049 (30) 123-456") == "+4930123456"


@pytest.mark.django_db
def test_same_address_in_any_case_resolves_to_the_same_customer():
    first = resolve_customer(IdentityKind.EMAIL, "Zoë.Ångström@Example.com", "Zoë Ångström")
    again = resolve_customer(IdentityKind.EMAIL, "  zoë.ångström@example.COM ")
    assert first.created and not again.created
    assert again.customer == first.customer
    assert Customer.objects.count() == 1
    assert first.customer.display_name == "Zoë Ångström"


@pytest.mark.django_db
def test_a_display_name_fills_in_a_nameless_customer_but_never_overwrites():
    resolve_customer(IdentityKind.EMAIL, "lan@example.com")
    named = resolve_customer(IdentityKind.EMAIL, "lan@example.com", "Nguyễn Thị Lan").customer
    assert named.display_name == "Nguyễn Thị Lan"
    kept = resolve_customer(IdentityKind.EMAIL, "lan@example.com", "Someone Else").customer
    assert kept.display_name == "Nguyễn Thị Lan"


@pytest.mark.django_db(transaction=True)
def test_concurrent_resolution_creates_one_customer():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL (run in CI)")
    results, errors = [], []
    barrier = threading.Barrier(6)

    def resolve():
        try:
            barrier.wait()
            results.append(resolve_customer(IdentityKind.EMAIL, "race@example.com").customer.pk)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=resolve) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(results)) == 1
    assert Identity.objects.filter(value="race@example.com").count() == 1
