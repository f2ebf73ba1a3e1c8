"""Signing customers in and out of the portal with magic links, and what they change there."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone

from regard.conversations.events import record_event
from regard.customers.choices import IdentityKind
from regard.customers.identities import InvalidIdentity, normalize
from regard.customers.models import Customer, Identity
from regard.portal.access import surviving
from regard.portal.choices import PortalEvent
from regard.portal.models import PortalLink


class LinkUsed(Exception):
    """The link was genuine but has already signed someone in."""


class UnknownLink(Exception):
    """The token is genuine but its link is gone (e.g. the customer was deleted)."""


def request_link(address: str, ip: str = "") -> PortalLink | None:
    """Mail a sign-in link to `address` if a customer has it and it is not bouncing.

    Returns the link, or None when there is none to send; the caller must answer the same either
    way. The mail goes from a task after commit.
    """
    from regard.portal.tasks import send_link

    try:
        value = normalize(IdentityKind.EMAIL, address)
    except InvalidIdentity:
        return None
    identity = (
        Identity.objects.select_related("customer")
        .filter(kind=IdentityKind.EMAIL, value=value, bouncing=False)
        .first()
    )
    if identity is None:
        return None
    customer = surviving(identity.customer)
    with transaction.atomic():
        link = PortalLink.objects.create(
            customer=customer,
            identity=identity,
            requested_ip_hash=hashlib.sha256(ip.encode()).hexdigest() if ip else "",
            created_at=timezone.now(),
        )
        record_event(PortalEvent.LINK_REQUESTED, customer=customer, link_id=link.pk)
        transaction.on_commit(lambda: send_link.enqueue(link.pk))
    return link


@transaction.atomic
def use_link(link_id: int, nonce: str) -> Customer:
    """The customer a genuine link signs in; the link is spent. Raises LinkUsed, UnknownLink."""
    link = (
        PortalLink.objects.select_for_update()
        .select_related("customer")
        .filter(pk=link_id, nonce=nonce)
        .first()
    )
    if link is None:
        raise UnknownLink
    if link.used_at is not None:
        raise LinkUsed
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    customer = surviving(link.customer)
    record_event(PortalEvent.SIGNED_IN, customer=customer, link_id=link.pk)
    return customer


def signed_out(customer: Customer) -> None:
    record_event(PortalEvent.SIGNED_OUT, customer=customer)


PROFILE_PREFERENCES = ("preferred_name", "language", "preferred_channel")
CONSENT_PREFERENCES = ("no_surveys", "no_marketing")


@transaction.atomic
def update_preferences(customer: Customer, **changes) -> Customer:
    """What the customer says about themselves; the same timeline event as an agent's edit."""
    from regard.conversations.choices import EventKind
    from regard.customers.actions import update_customer_profile

    unknown = set(changes) - {*PROFILE_PREFERENCES, *CONSENT_PREFERENCES}
    if unknown:
        raise ValueError(f"not a preference: {', '.join(sorted(unknown))}")
    profile = {k: v for k, v in changes.items() if k in PROFILE_PREFERENCES}
    update_customer_profile(None, customer, **profile)
    # Consent is not an agent-editable profile field, so it is recorded here.
    consent = {
        k: {"from": getattr(customer, k), "to": bool(v)}
        for k, v in changes.items()
        if k in CONSENT_PREFERENCES and getattr(customer, k) != bool(v)
    }
    if consent:
        for field, change in consent.items():
            setattr(customer, field, change["to"])
        customer.save(update_fields=[*consent, "updated_at"])
        record_event(EventKind.CUSTOMER_UPDATED, customer=customer, changes=consent, via="portal")
    return customer
