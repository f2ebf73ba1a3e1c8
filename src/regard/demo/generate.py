"""`generate_demo`: Acme's support desk with agents, customers and 90 days of conversations.

Everything goes through the actions, deterministically from one seed, in one transaction.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.test import override_settings
from django.utils import timezone

from regard.accounts.actions import create_agent
from regard.accounts.models import Agent, Team
from regard.conversations.actions import send_reply
from regard.conversations.choices import Delivery, Direction, EventKind
from regard.conversations.models import Conversation, Event, Message
from regard.customers.actions import (
    add_customer_note,
    add_identity,
    add_moment,
    resolve_customer,
    update_customer_profile,
)
from regard.customers.choices import IdentityKind
from regard.customers.models import Customer, CustomerNote, Organization
from regard.demo.incidents import seed_incident
from regard.demo.loyalty import seed_loyalty
from regard.demo.people import AGENTS, CUSTOMERS, ORGANIZATIONS, TEAMS
from regard.demo.routing import seed_routing
from regard.demo.service import seed_service_levels
from regard.demo.stories import STORIES
from regard.demo.telling import Scene, tell
from regard.demo.upsets import ARCS, UPSET_STORIES
from regard.demo.workspace import seed_saved_replies

CONVERSATIONS = 150
# Replies are marked sent below instead: a worker must not try to mail fictional customers.
NO_DELIVERY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


class DemoExists(Exception):
    """The database already has data; the demo only loads into an empty one."""


@dataclass(frozen=True)
class DemoSummary:
    agents: list[tuple[str, str, str]]
    customers: int
    conversations: int
    messages: int


def generate_demo(
    *, seed: int = 7, progress: Callable[[int, int], None] | None = None
) -> DemoSummary:
    """Load the demo; `progress(done, total)` is called as customers and conversations land."""
    if Customer.objects.exists() or User.objects.filter(username__in=_usernames()).exists():
        raise DemoExists("The database already has data; demo data not loaded")
    rng = random.Random(seed)
    report = progress or (lambda done, total: None)
    total = len(CUSTOMERS) + CONVERSATIONS
    with override_settings(TASKS=NO_DELIVERY), transaction.atomic():
        agents = _create_agents()
        customers = _create_customers(agents, lambda done: report(done, total))
        _tell_all(_plan(rng), customers, agents, rng, lambda done: report(done, total))
        _give_fresh_updates()
        _mark_replies_sent()
        _backdate(timezone.now())
        seed_service_levels(timezone.now())
        seed_routing(timezone.now())
        seed_saved_replies()
        seed_incident(timezone.now())
        seed_loyalty(timezone.now())
    return DemoSummary(
        agents=[(a["username"], a["password"], a["role"]) for a in AGENTS],
        customers=Customer.objects.count(),
        conversations=Conversation.objects.count(),
        messages=Message.objects.exclude(direction=Direction.NOTE).count(),
    )


FRESH_UPDATES = (
    "Hi {name}, a quick update: the courier has your case now. "
    "I'll call you tomorrow at 11am with their answer.",
    "Hi {name}, thanks for bearing with us. I will email you the corrected invoice by Friday.",
    "Hi {name}, I'll check with the warehouse and get back to you within 48 hours.",
)


def _give_fresh_updates() -> None:
    """A few answered conversations get a follow-up with a promise still to keep."""
    answered = (
        Conversation.objects.filter(
            status__in=["open", "pending"], waiting_since__isnull=True, assignee__isnull=False
        )
        .select_related("assignee__user", "customer")
        .order_by("id")[: len(FRESH_UPDATES)]
    )
    for conversation, text in zip(answered, FRESH_UPDATES, strict=False):
        name = conversation.customer.address_name or conversation.customer.name
        send_reply(
            conversation.assignee.user,
            conversation,
            text.format(name=name),
            at=timezone.now() - timedelta(minutes=40),
        )


def _usernames() -> list[str]:
    return [agent["username"] for agent in AGENTS]


def _create_agents() -> dict[str, Agent]:
    # There is no team action yet; teams are plain rows, as `createagent --team` makes them.
    teams = {key: Team.objects.create(name=name) for key, name in TEAMS.items()}
    agents = {}
    for spec in AGENTS:
        agents[spec["username"]] = create_agent(
            spec["username"],
            spec["password"],
            display_name=spec["name"],
            email=f"{spec['username']}@acme.example",
            role=spec["role"],
            teams=[teams[key] for key in spec["teams"]],
        )
        if "leads" in spec:
            Team.objects.filter(pk=teams[spec["leads"]].pk).update(lead=agents[spec["username"]])
    return agents


def _create_customers(agents: dict[str, Agent], report) -> dict[str, Customer]:
    admin = agents["maya"].user
    # There is no organization action yet either.
    organizations = {
        key: Organization.objects.create(name=name, domain=domain)
        for key, (name, domain) in ORGANIZATIONS.items()
    }
    customers = {}
    for done, person in enumerate(CUSTOMERS, start=1):
        customer = resolve_customer(IdentityKind.EMAIL, person["email"], person["name"]).customer
        if "chat" in person:
            add_identity(admin, customer, IdentityKind.CHAT, person["chat"])
        _fill_profile(admin, customer, person, agents, organizations)
        owner = agents[person["owner"]].user
        for index, text in enumerate(person["notes"]):
            add_customer_note(owner, customer, text, pinned=index == 0 and "mood" in person)
        for kind, day, label in person["moments"]:
            add_moment(owner, customer, kind, date.fromisoformat(day), label)
        customers[person["email"]] = customer
        report(done)
    return customers


def _fill_profile(admin, customer, person, agents, organizations) -> None:
    update_customer_profile(
        admin,
        customer,
        preferred_name=person.get("preferred", ""),
        pronunciation=person.get("pronunciation", ""),
        language=person["language"],
        time_zone=person["tz"],
        preferred_channel=person["channel"],
        vip=person.get("vip", False),
        organization=organizations.get(person.get("org")),
        owner=agents[person["owner"]],
        needs=person["needs"],
        wants=person["wants"],
        emotions=person["emotions"],
        stereotypes_to_avoid=person["avoid"],
    )


def _tell_all(plan, customers, agents, rng, report) -> None:
    latest = {}
    for done, (person, story, days_ago) in enumerate(plan, start=len(CUSTOMERS) + 1):
        email = person["email"]
        # An upset customer's repeat contact continues their previous conversation.
        follows = latest.get(email) if "mood" in person else None
        scene = Scene(person, customers[email], story, days_ago, agents, rng, follows)
        latest[email] = tell(scene)
        report(done)


def _plan(rng: random.Random) -> list[tuple[dict, dict, float]]:
    """Who writes about what, and how many days ago: upset arcs first, then everyday matters."""
    stories = {story["key"]: story for story in STORIES} | {
        key: {"key": key, **story} for key, story in UPSET_STORIES.items()
    }
    by_email = {person["email"]: person for person in CUSTOMERS}
    plan = [
        (by_email[email], stories[key], days_ago + rng.random() * 0.5)
        for email, arc in ARCS.items()
        for key, days_ago in arc
    ]
    calm = [person for person in CUSTOMERS if "mood" not in person]
    while len(plan) < CONVERSATIONS:
        # Two rounds through everyone, then favourites: some customers simply write more.
        person = calm[len(plan) % len(calm)] if len(plan) < 2 * len(calm) else rng.choice(calm)
        plan.append((person, rng.choice(STORIES), _days_ago(rng)))
    return sorted(plan, key=lambda item: -item[2])


def _days_ago(rng: random.Random) -> float:
    # Recent weeks are busier than older ones, as in any live inbox.
    days = rng.expovariate(1 / 25)
    return days if days < 89.5 else rng.uniform(60, 89.5)


def _mark_replies_sent() -> None:
    Message.objects.filter(direction=Direction.OUTBOUND, delivery=Delivery.QUEUED).update(
        delivery=Delivery.SENT, sent_at=F("created_at")
    )


def _backdate(now) -> None:
    """Move what was stamped `now` to when it would have happened.

    Customers, notes and a few events come from actions that take no `at=` yet; without this,
    every customer would be "new today" and every tag change would sit after months of history.
    """
    first_contact = Conversation.objects.filter(customer=OuterRef("pk")).order_by("created_at")
    Customer.objects.update(
        created_at=Coalesce(Subquery(first_contact.values("created_at")[:1]), Value(now))
    )
    since = Customer.objects.filter(pk=OuterRef("customer_id")).values("created_at")[:1]
    CustomerNote.objects.update(created_at=Subquery(since))
    Event.objects.filter(conversation__isnull=True, customer__isnull=False).update(
        created_at=Subquery(since)
    )
    conversation = Conversation.objects.filter(pk=OuterRef("conversation_id"))
    Event.objects.filter(kind=EventKind.TAGGED).update(
        created_at=Subquery(conversation.values(at=Coalesce("first_reply_at", "created_at"))[:1])
    )
    last_message = Message.objects.filter(conversation=OuterRef("conversation_id"))
    Event.objects.filter(kind=EventKind.ASSIGNED).update(
        created_at=Subquery(last_message.order_by("-created_at").values("created_at")[:1])
    )
