"""Test builders as plain functions; data goes through actions as in production."""

from __future__ import annotations

import itertools

from regard.accounts.actions import create_agent
from regard.accounts.choices import Role
from regard.accounts.models import Team
from regard.conversations import actions as conversation_actions
from regard.customers.actions import resolve_customer
from regard.customers.choices import Channel, IdentityKind

_counter = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"


def make_team(name: str | None = None) -> Team:
    return Team.objects.create(name=name or f"Team {next(_counter)}")


def make_agent(username: str | None = None, *, role: str = Role.AGENT, teams=(), **kwargs):
    username = username or f"agent{next(_counter)}"
    return create_agent(
        username,
        PASSWORD,
        role=role,
        teams=list(teams),
        display_name=kwargs.pop("display_name", username.title()),
        **kwargs,
    )


def make_customer(email: str | None = None, name: str = "", **profile):
    customer = resolve_customer(
        IdentityKind.EMAIL, email or f"customer{next(_counter)}@example.com", name
    ).customer
    for field, value in profile.items():
        setattr(customer, field, value)
    if profile:
        customer.save()
    return customer


def make_conversation(
    customer=None,
    *,
    text: str = "Hello, my order has not arrived.",
    subject: str = "Where is my order?",
    channel: str = Channel.EMAIL,
    at=None,
    **kwargs,
):
    customer = customer or make_customer()
    conversation = conversation_actions.open_conversation(
        None, customer, subject=subject, channel=channel, at=at, **kwargs
    )
    conversation_actions.receive_message(
        conversation,
        text_full=text,
        sender=customer.identities.first(),
        channel=channel,
        subject=subject,
        at=at,
    )
    conversation.refresh_from_db()
    return conversation
