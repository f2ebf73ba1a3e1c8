"""Handing an outbound message to its channel."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from regard.customers.choices import IdentityKind


class Undeliverable(Exception):
    """The customer has no address this channel can reach."""


def deliver(message) -> None:
    customer = message.conversation.customer
    identity = (
        customer.identities.filter(kind=IdentityKind.EMAIL, bouncing=False).order_by("id").first()
    )
    if identity is None:
        raise Undeliverable(f"{customer.name} has no working e-mail address")
    agent = getattr(message.author, "agent", None)
    from_name = f"{agent.display_name} at Regard Support" if agent else "Regard Support"
    mail = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text_full,
        from_email=f"{from_name} <{settings.DEFAULT_FROM_EMAIL}>",
        to=[identity.value],
        headers={"Auto-Submitted": "no"},
    )
    if message.html:
        mail.attach_alternative(message.html, "text/html")
    mail.send()
