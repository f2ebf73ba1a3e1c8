"""Routing in the demo: team modes, skills and languages, a concierge customer and organization,
an away supervisor, and a few new conversations routed with their explanations."""

from __future__ import annotations

from datetime import timedelta

from regard.accounts.choices import Availability, RoutingMode
from regard.accounts.models import Agent, Team
from regard.conversations.actions import open_conversation, receive_message
from regard.customers.actions import resolve_customer, update_customer_profile
from regard.customers.choices import Channel, IdentityKind
from regard.customers.models import Customer, Organization
from regard.demo.people import TEAMS
from regard.service.routing_actions import update_agent_routing, update_team_routing

SKILLS = {
    "maya": ("billing, refunds, escalation", "en, de, yo"),
    "tomas": ("delivery, damaged, returns", "en, es"),
    "priya": ("billing, invoices, refunds", "en, fr, ta"),
    "jonas": ("delivery, tracking, returns", "en, de, nl"),
}
# (customer e-mail, team key or None for no team, subject, message), eight minutes apart
ARRIVALS = (
    (
        "soeren.mueller@ludenscheidt.example",
        "orders",
        "Second espresso machine for the Hamburg office",
        "Hallo Jonas, we would like the same machine again, delivered to Hamburg. Sören",
    ),
    (
        "hiroshi.tanaka@kaito-robotics.example",
        "billing",
        "Purchase order number on invoice",
        "Hello, could the invoice for our last order show our PO number KR-5521? Hiroshi",
    ),
    (
        "dana.whitfield@northwind.example",
        "orders",
        "Flour mill parts arrived dented",
        "Hi, two of the mill parts came dented this morning. Photos attached. Dana",
    ),
    (
        "ahmad.karimi@wien.example",
        "billing",
        "Charged twice for one order",
        "Hi Jonas, my card shows two charges for the same order. Can you check? Ahmad",
    ),
    (
        "lena.hofmann@example.de",
        "billing",
        "Rechnung an neue Adresse",
        "Guten Tag, bitte schicken Sie die Rechnung an unsere neue Adresse. Lena Hofmann",
    ),
    (
        "felix.ortega@example.com",
        None,
        "Where can I track my parcel?",
        "Hi, I ordered on Monday and have no tracking link yet. Felix",
    ),
)


def seed_routing(now) -> None:
    """Called once at the end of generate_demo, after everything else is in place."""
    teams = {key: Team.objects.get(name=name) for key, name in TEAMS.items()}
    update_team_routing(
        teams["orders"],
        routing_mode=RoutingMode.LEAST_LOADED,
        offer_back_after=60,
        receives_new=True,
    )
    update_team_routing(
        teams["billing"], routing_mode=RoutingMode.SKILLS, offer_back_after=None, receives_new=False
    )
    agents = {agent.user.username: agent for agent in Agent.objects.select_related("user")}
    for username, (skills, languages) in SKILLS.items():
        agent = agents[username]
        update_agent_routing(agent, capacity=25, skills=skills, languages=languages)
    # Tomás went away a while ago: his customers' new conversations go to whoever helped them
    # last, and ten minutes into the demo the clock offers his open ones back to the team.
    Agent.objects.filter(pk=agents["tomas"].pk).update(
        availability=Availability.AWAY, availability_changed_at=now - timedelta(minutes=50)
    )
    admin = agents["maya"].user
    kaito = Organization.objects.get(name="Kaito Robotics")
    kaito.concierge = agents["maya"]
    kaito.save(update_fields=["concierge"])
    soeren = Customer.objects.get(identities__value="soeren.mueller@ludenscheidt.example")
    update_customer_profile(admin, soeren, concierge=agents["jonas"])
    _newcomer("lena.hofmann@example.de", "Lena Hofmann", "de", admin)
    _newcomer("felix.ortega@example.com", "Felix Ortega", "en", admin)
    for index, (email, team, subject, text) in enumerate(ARRIVALS):
        at = now - timedelta(minutes=8 * (len(ARRIVALS) - index))
        _arrive(email, teams.get(team), subject, text, at)


def _newcomer(email: str, name: str, language: str, admin) -> None:
    customer = resolve_customer(IdentityKind.EMAIL, email, name).customer
    update_customer_profile(admin, customer, language=language)


def _arrive(email: str, team, subject: str, text: str, at) -> None:
    customer = Customer.objects.get(identities__value=email)
    conversation = open_conversation(
        None, customer, subject=subject, channel=Channel.EMAIL, team=team, at=at
    )
    receive_message(
        conversation,
        text_full=text,
        sender=customer.identities.get(value=email),
        channel=Channel.EMAIL,
        subject=subject,
        at=at,
    )
