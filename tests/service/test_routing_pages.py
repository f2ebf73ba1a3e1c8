"""Routing in the agent workspace: availability in the top bar, the routing settings page, the
concierge on the customer card, and routing decisions on the timeline."""

from __future__ import annotations

import pytest
from django.urls import reverse

from regard.accounts.choices import Availability, RoutingMode
from regard.accounts.models import Agent, Team
from regard.service.routing_actions import update_team_routing
from tests.factories import PASSWORD, make_conversation, make_customer

pytestmark = pytest.mark.django_db


def signed_in_as(client, agent):
    client.login(username=agent.user.username, password=PASSWORD)
    return client


def team_form(team, **changes) -> dict:
    data = {"routing_mode": team.routing_mode, "offer_back_after": "", **changes}
    return {f"team{team.pk}-{key}": value for key, value in data.items()}


# Bad input first.


def test_an_unknown_availability_is_refused_and_nothing_changes(client, agent):
    response = signed_in_as(client, agent).post(
        reverse("service:availability"), {"availability": "busy", "next": "/"}
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.availability == Availability.AVAILABLE


def test_a_team_form_with_an_unknown_mode_is_refused_with_the_field_named(client, supervisor, team):
    response = signed_in_as(client, supervisor).post(
        reverse("service:routing_team", args=[team.pk]), team_form(team, routing_mode="fancy")
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    team.refresh_from_db()
    assert team.routing_mode == RoutingMode.MANUAL


def test_a_negative_capacity_is_refused(client, supervisor, agent):
    response = signed_in_as(client, supervisor).post(
        reverse("service:routing_agent", args=[agent.pk]),
        {f"agent{agent.pk}-capacity": "-1", f"agent{agent.pk}-skills": ""},
    )
    assert response.status_code == 400
    agent.refresh_from_db()
    assert agent.capacity == 20


def test_agents_may_not_change_team_routing(client, agent, team):
    response = signed_in_as(client, agent).post(
        reverse("service:routing_team", args=[team.pk]), team_form(team, routing_mode="skills")
    )
    assert response.status_code == 403


# The pages.


def test_the_top_bar_lets_an_agent_go_away_and_come_back(client, agent):
    signed_in_as(client, agent)
    page = client.get(reverse("web:inbox")).content.decode()
    assert 'name="availability"' in page and "Routing</a>" not in page
    response = client.post(
        reverse("service:availability"), {"availability": "away", "next": "/customers/"}
    )
    assert response.status_code == 302 and response["Location"] == "/customers/"
    agent.refresh_from_db()
    assert agent.availability == Availability.AWAY and agent.availability_changed_at


def test_the_availability_switch_answers_htmx_with_itself(client, agent):
    response = signed_in_as(client, agent).post(
        reverse("service:availability"),
        {"availability": "offline", "next": "https://evil.example/"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert '<option value="offline" selected>' in body
    assert "evil.example" not in body


def test_supervisors_set_a_teams_mode_and_an_agents_capacity_and_skills(
    client, supervisor, agent, team
):
    signed_in_as(client, supervisor)
    page = client.get(reverse("service:routing")).content.decode()
    assert team.name in page and agent.display_name in page
    response = client.post(
        reverse("service:routing_team", args=[team.pk]),
        team_form(team, routing_mode="round_robin", offer_back_after="45", receives_new="on"),
    )
    assert response.status_code == 302
    team = Team.objects.get(pk=team.pk)
    assert (team.routing_mode, team.offer_back_after, team.receives_new) == (
        "round_robin",
        45,
        True,
    )
    client.post(
        reverse("service:routing_agent", args=[agent.pk]),
        {
            f"agent{agent.pk}-capacity": "7",
            f"agent{agent.pk}-skills": "Refunds, billing, ",
            f"agent{agent.pk}-languages": "de, en",
        },
    )
    agent = Agent.objects.get(pk=agent.pk)
    assert (agent.capacity, agent.skills, agent.languages) == (7, "billing, refunds", "de, en")


def test_the_concierge_is_set_on_the_profile_and_shown_on_the_card(client, supervisor, agent, team):
    customer = make_customer("zoe@example.com", "Zoë Ångström")
    signed_in_as(client, supervisor)
    response = client.post(
        reverse("web:customer_edit", args=[customer.pk]),
        {"display_name": customer.display_name, "concierge": agent.pk},
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.concierge == agent
    conversation = make_conversation(customer, team=team)
    assert conversation.assignee == agent
    page = client.get(reverse("web:conversation", args=[conversation.pk])).content.decode()
    assert f"Concierge: {agent.display_name}" in page
    assert f"assigned to {agent.display_name}: their concierge, pinned, 0 open" in page


def test_a_queued_conversation_says_why_on_its_timeline(client, agent, team):
    update_team_routing(team, routing_mode="manual", offer_back_after=None, receives_new=False)
    conversation = make_conversation(team=team)
    page = signed_in_as(client, agent).get(reverse("web:conversation", args=[conversation.pk]))
    assert "left in the Orders queue: Orders assigns by hand" in page.content.decode()


def test_the_unassigned_view_lists_the_queue_upset_and_vip_first(client, agent, team):
    update_team_routing(team, routing_mode="manual", offer_back_after=None, receives_new=False)
    plain = make_conversation(team=team, subject="Plain question")
    vip = make_conversation(make_customer(vip=True), team=team, subject="VIP question")
    upset = make_conversation(
        team=team, subject="Angry", text="This is UNACCEPTABLE, I am furious!"
    )
    page = signed_in_as(client, agent).get(reverse("web:inbox") + "?view=unassigned")
    body = page.content.decode()
    assert upset.upset and vip.customer.vip
    assert body.index("Angry") < body.index(vip.subject) < body.index(plain.subject)
