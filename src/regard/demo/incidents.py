"""A live incident in the demo: customers linked by hand and by organization, named concierges,
two updates already delivered, and an inbound message waiting to be confirmed as related."""

from __future__ import annotations

from datetime import timedelta

from django.core.mail import get_connection
from django.db.models import Count
from django.test import override_settings

from regard.accounts.models import Agent
from regard.conversations.actions import open_conversation, receive_message
from regard.customers.models import Customer, Organization
from regard.incidents import actions, broadcast
from regard.incidents.sending import send_rows

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
UPDATES = (
    (
        "identified",
        "Card payments are being declined at checkout since 7:40 this morning. We found the "
        "cause, a certificate at our payment provider, and I am working with them on the fix.",
    ),
    (
        "monitoring",
        "I rolled out the fix at 10:15 and payments go through again. I am watching every "
        "checkout for the next hour to be sure; if your payment failed earlier, you can retry now.",
    ),
)


def seed_incident(now) -> None:
    owner = Agent.objects.get(user__username="tomas")
    priya = Agent.objects.get(user__username="priya")
    jonas = Agent.objects.get(user__username="jonas")
    started = now - timedelta(hours=3)
    incident = actions.declare_incident(
        owner.user,
        title="Card payments declined at checkout",
        public_text="Card payments are declined at checkout. We are fixing it with our provider.",
        internal_notes="Provider ticket PAY-4471; their TLS certificate expired at 07:40 UTC.",
        started_at=started,
        next_update_due_at=started + timedelta(hours=1),
        at=started,
    )
    organization = (
        Organization.objects.annotate(people=Count("customers")).order_by("-people", "pk").first()
    )
    actions.link_organization(owner.user, incident, organization, at=started)
    actions.assign_concierge(owner.user, incident, jonas, organization=organization, at=started)
    by_hand = Customer.objects.filter(organization__isnull=True, conversations__isnull=False)
    for customer in by_hand.distinct().order_by("pk")[:3]:
        link = actions.link_customer(
            owner.user,
            incident,
            customer=customer,
            note="your order waits for its payment; I'll keep it reserved until this is fixed",
            at=started,
        )
        actions.assign_concierge(owner.user, incident, priya, link=link, at=started)
    for n, (status, text) in enumerate(UPDATES):
        at = started + timedelta(minutes=30 + 90 * n)
        update = broadcast.queue_update(
            owner.user, incident, text, status=status, next_update_due_at=now + timedelta(hours=1)
        )
        update.__class__.objects.filter(pk=update.pk).update(created_at=at)
        with override_settings(EMAIL_BACKEND=LOCMEM):
            ids = list(update.deliveries.order_by("pk").values_list("pk", flat=True))
            send_rows(update, ids, get_connection())
    _a_related_message_arrives(incident, now)


def _a_related_message_arrives(incident, now) -> None:
    """A customer not linked yet writes about it: the incident suggests linking them."""
    linked = incident.affected.values("customer_id")
    customer = (
        Customer.objects.exclude(pk__in=linked).filter(identities__isnull=False).order_by("pk")
    ).first()
    conversation = open_conversation(
        None, customer, subject="Payment declined at checkout", channel="email", at=now
    )
    receive_message(
        conversation,
        text_full="Hi, my card payment keeps getting declined at checkout. Is something wrong?",
        sender=customer.identities.first(),
        subject="Payment declined at checkout",
        at=now,
    )
