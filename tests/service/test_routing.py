"""Routing: continuity first (concierge, their person, who last helped them), then the team's
mode, within capacity, each decision explained on the timeline in words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from regard.accounts.choices import Availability, RoutingMode
from regard.conversations import actions
from regard.conversations.choices import EventKind, Priority
from regard.conversations.models import Conversation, Event
from regard.customers.models import Organization
from regard.service.routing import describe, route
from regard.service.routing_actions import (
    offer_back,
    route_waiting,
    set_availability,
    update_agent_routing,
    update_team_routing,
)
from tests.factories import make_agent, make_conversation, make_customer, make_team

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def routed(conversation) -> list[str]:
    events = Event.objects.filter(conversation=conversation, kind=EventKind.ROUTED)
    return [describe(e.data) for e in events.order_by("id")]


def orders(mode=RoutingMode.LEAST_LOADED, **settings):
    team = make_team("Orders")
    update_team_routing(
        team,
        routing_mode=mode,
        offer_back_after=settings.pop("offer_back_after", None),
        receives_new=settings.pop("receives_new", False),
    )
    return team


def member(team, name: str, *, capacity: int = 20, **fields):
    agent = make_agent(name.lower(), teams=[team], display_name=name)
    agent.capacity = capacity
    for key, value in fields.items():
        setattr(agent, key, value)
    agent.save()
    return agent


def arrive(team=None, customer=None, **kwargs):
    """A new inbound conversation, routed as the inbound pipeline does (through the hook)."""
    return make_conversation(customer, team=team, at=kwargs.pop("at", NOW), **kwargs)


def held(agent, count: int, team, priority=Priority.NORMAL) -> None:
    for _ in range(count):
        actions.open_conversation(
            None,
            make_customer(),
            subject="Old",
            channel="email",
            team=team,
            assignee=agent,
            priority=priority,
        )


# Bad input first.


def test_unknown_mode_leaves_the_conversation_in_the_queue_and_says_why(db):
    team = orders()
    member(team, "Dana")
    type(team).objects.filter(pk=team.pk).update(routing_mode="fancy")
    conversation = arrive(team)
    assert conversation.assignee is None
    assert routed(conversation) == [
        "left in the Orders queue: unknown routing mode 'fancy'; "
        "Orders assigns by hand until it is fixed"
    ]


def test_unknown_settings_are_refused_with_clear_errors(db):
    team = orders()
    dana = member(team, "Dana")
    with pytest.raises(ValueError, match="unknown routing mode 'fancy'"):
        update_team_routing(team, routing_mode="fancy", offer_back_after=None, receives_new=False)
    with pytest.raises(ValueError, match="at least 1 minute"):
        update_team_routing(
            team, routing_mode=RoutingMode.MANUAL, offer_back_after=0, receives_new=False
        )
    with pytest.raises(ValueError, match="unknown availability 'busy'"):
        set_availability(dana, "busy")
    with pytest.raises(ValueError, match="0 or more"):
        update_agent_routing(dana, capacity=-1, skills="", languages="")


def test_capacity_zero_takes_nothing(db):
    team = orders()
    member(team, "Dana", capacity=0)
    conversation = arrive(team)
    assert conversation.assignee is None
    assert routed(conversation) == [
        "left in the Orders queue: nobody available in Orders (1 at capacity)"
    ]


def test_nobody_available_leaves_it_in_the_team_queue_with_the_reasons(db):
    team = orders()
    member(team, "Dana", availability=Availability.AWAY)
    member(team, "Eli", availability=Availability.OFFLINE)
    full = member(team, "Fay", capacity=1)
    held(full, 1, team)
    conversation = arrive(team)
    assert conversation.assignee is None and conversation.team == team
    assert routed(conversation) == [
        "left in the Orders queue: nobody available in Orders (2 away or offline, 1 at capacity)"
    ]


def test_no_team_and_nobody_they_know_is_explained(db):
    conversation = arrive()
    assert conversation.assignee is None
    assert routed(conversation) == ["left unassigned: no team receives new conversations"]


def test_a_team_that_receives_new_conversations_takes_those_without_a_team(db):
    team = orders(receives_new=True)
    dana = member(team, "Dana")
    conversation = arrive()
    assert (conversation.assignee, conversation.team) == (dana, team)


def test_only_one_team_receives_new_conversations(db):
    first = orders(receives_new=True)
    second = make_team("Billing")
    update_team_routing(
        second, routing_mode=RoutingMode.MANUAL, offer_back_after=None, receives_new=True
    )
    first.refresh_from_db()
    assert not first.receives_new and second.receives_new


# The modes.


def test_manual_mode_leaves_it_for_the_team(db):
    team = orders(RoutingMode.MANUAL)
    member(team, "Dana")
    conversation = arrive(team)
    assert conversation.assignee is None
    assert routed(conversation) == ["left in the Orders queue: Orders assigns by hand"]


def test_least_loaded_weighs_open_conversations_by_priority(db):
    team = orders()
    dana, eli = member(team, "Dana"), member(team, "Eli")
    held(dana, 1, team, Priority.URGENT)  # one conversation, weight 4
    held(eli, 2, team, Priority.LOW)  # two conversations, weight 2
    conversation = arrive(team)
    assert conversation.assignee == eli
    assert routed(conversation) == ["assigned to Eli: least loaded in Orders, 2 open (load 2)"]


def test_round_robin_takes_each_available_agent_in_turn(db):
    team = orders(RoutingMode.ROUND_ROBIN)
    agents = [member(team, name) for name in ("Dana", "Eli", "Fay")]
    held(agents[0], 3, team)  # load does not matter in round-robin
    assignees = [arrive(team, at=NOW + timedelta(minutes=i)).assignee for i in range(4)]
    assert assignees == [*agents, agents[0]]


def test_skills_and_language_pick_the_best_match(db):
    team = orders(RoutingMode.SKILLS)
    member(team, "Dana", skills="shipping")
    eli = member(team, "Eli", skills="billing, refunds", languages="de")
    member(team, "Fay", skills="billing")
    customer = make_customer(language="de-AT")
    conversation = actions.open_conversation(
        None, customer, subject="Refund", channel="email", team=team
    )
    actions.set_tags(None, conversation, ["Refunds", "billing"])
    actions.assign_conversation(None, conversation, None)  # routed at opening, before the tags
    decision = route(conversation, at=NOW)
    assert decision.assignee == eli
    assert decision.text == "assigned to Eli: knows billing, knows refunds, speaks de-at, 0 open"


def test_skills_mode_without_a_match_falls_back_to_the_least_loaded(db):
    team = orders(RoutingMode.SKILLS)
    dana, eli = member(team, "Dana", skills="shipping"), member(team, "Eli")
    held(dana, 1, team)
    conversation = arrive(team)
    assert conversation.assignee == eli
    assert routed(conversation) == [
        "assigned to Eli: nobody matches better; least loaded in Orders, 0 open"
    ]


def test_capacity_is_never_exceeded(db):
    team = orders()
    dana, eli = member(team, "Dana", capacity=1), member(team, "Eli", capacity=1)
    conversations = [arrive(team) for _ in range(3)]
    assert {c.assignee for c in conversations[:2]} == {dana, eli}
    assert conversations[2].assignee is None


# Continuity first.


def test_the_concierge_is_pinned_even_when_away_and_full(db):
    team = orders()
    member(team, "Eli")
    concierge = member(team, "Dana", capacity=1, availability=Availability.AWAY)
    held(concierge, 1, team)
    customer = make_customer(concierge=concierge, owner=member(team, "Fay"))
    conversation = arrive(team, customer)
    assert conversation.assignee == concierge
    assert routed(conversation) == ["assigned to Dana: their concierge, pinned, away, 1 open"]


def test_the_organizations_concierge_is_pinned_too(db):
    team = orders()
    dana = member(team, "Dana")
    acme = Organization.objects.create(name="Acme", concierge=dana)
    conversation = arrive(team, make_customer(organization=acme))
    assert routed(conversation) == ["assigned to Dana: concierge for Acme, pinned, 0 open"]


def test_their_person_comes_before_the_team_mode(db):
    team = orders()
    member(team, "Eli")
    dana = member(team, "Dana")
    held(dana, 3, team)
    conversation = arrive(team, make_customer(owner=dana))
    assert conversation.assignee == dana
    assert routed(conversation) == ["assigned to Dana: their person, available, 3 open"]


def test_their_person_from_another_team_still_takes_it(db):
    team = orders()
    member(team, "Eli")
    outsider = make_agent("oz", teams=[make_team("Billing")], display_name="Oz")
    assert arrive(team, make_customer(owner=outsider)).assignee == outsider


def test_the_agent_who_last_helped_them_comes_next(db):
    team = orders()
    member(team, "Eli")
    owner = member(team, "Sam", availability=Availability.AWAY)
    dana = member(team, "Dana")
    customer = make_customer(owner=owner)
    earlier = arrive(team, customer, at=NOW - timedelta(days=30))
    actions.assign_conversation(None, earlier, dana)
    actions.send_reply(dana.user, earlier, "Happy to help.", at=NOW - timedelta(days=29))
    conversation = arrive(team, customer)
    assert conversation.assignee == dana
    date = (NOW - timedelta(days=29)).strftime("%-d %b %Y")
    assert routed(conversation) == [
        f"assigned to Dana: last helped them on {date}, available, 1 open "
        "(Sam, their person, is away)"
    ]


def test_a_full_last_helper_hands_over_to_the_team_mode(db):
    team = orders()
    eli = member(team, "Eli")
    dana = member(team, "Dana", capacity=1)
    customer = make_customer()
    earlier = arrive(team, customer, at=NOW - timedelta(days=3))
    actions.assign_conversation(None, earlier, dana)
    actions.send_reply(dana.user, earlier, "Happy to help.", at=NOW - timedelta(days=2))
    conversation = arrive(team, customer)
    assert conversation.assignee == eli
    assert routed(conversation)[0].endswith(
        "(Dana, who last helped them, is at capacity (1 of 1 open))"
    )


def test_an_assigned_conversation_is_not_routed_again(db):
    team = orders()
    dana, eli = member(team, "Dana"), member(team, "Eli")
    conversation = arrive(team, assignee=dana)
    assert conversation.assignee == dana and routed(conversation) == []
    assert route(conversation) is None
    assert eli.conversations.count() == 0


def test_a_queued_conversation_is_routed_once_on_arrival_not_on_every_message(db):
    team = orders()
    conversation = arrive(team)
    actions.receive_message(conversation, text_full="Anyone there?", at=NOW)
    assert len(routed(conversation)) == 1


# The queue, VIPs and upset customers first, and away agents.


def test_upset_customers_and_vips_jump_the_queue(db):
    team = orders()
    dana = member(team, "Dana", capacity=2, availability=Availability.AWAY)
    plain = arrive(team, at=NOW - timedelta(hours=3))
    vip = arrive(team, make_customer(vip=True), at=NOW - timedelta(hours=1))
    upset = arrive(team, text="This is UNACCEPTABLE, I am furious!", at=NOW)
    assert upset.upset and not plain.upset
    set_availability(dana, Availability.AVAILABLE, at=NOW)
    assigned = set(Conversation.objects.filter(assignee=dana))
    assert assigned == {upset, vip}
    assert Conversation.objects.get(pk=plain.pk).assignee is None


def test_the_queue_sweep_routes_waiting_conversations_when_someone_is_free(db):
    team = orders()
    dana = member(team, "Dana", capacity=1)
    first, second = arrive(team), arrive(team)
    assert second.assignee is None
    actions.change_status(dana.user, first, "solved")
    assert route_waiting(NOW) == 1
    assert Conversation.objects.get(pk=second.pk).assignee == dana
    assert routed(second)[-1] == "assigned to Dana: least loaded in Orders, 0 open (load 0)"
    assert route_waiting(NOW) == 0


def test_an_away_agents_conversations_are_offered_back_and_rerouted(db):
    team = orders(offer_back_after=30)
    dana, eli = member(team, "Dana"), member(team, "Eli")
    mine = arrive(team, assignee=dana)
    pinned = arrive(team, make_customer(concierge=dana), assignee=dana)
    set_availability(dana, Availability.AWAY, at=NOW)
    assert offer_back(NOW + timedelta(minutes=20)) == 0
    assert offer_back(NOW + timedelta(minutes=45)) == 1
    mine.refresh_from_db()
    assert mine.assignee == eli
    offered = Event.objects.get(conversation=mine, kind=EventKind.OFFERED_BACK)
    assert offered.data["reason"] == "Dana is away for 45 min; Orders offers back after 30 min"
    assert Conversation.objects.get(pk=pinned.pk).assignee == dana
    assert offer_back(NOW + timedelta(minutes=50)) == 0


def test_teams_without_the_setting_never_offer_back(db):
    team = orders()
    dana = member(team, "Dana")
    conversation = arrive(team, assignee=dana)
    set_availability(dana, Availability.OFFLINE, at=NOW)
    assert offer_back(NOW + timedelta(days=3)) == 0
    assert Conversation.objects.get(pk=conversation.pk).assignee == dana


def test_the_clock_sweep_offers_back_and_works_the_queue(db):
    from regard.system.clock import sweep

    done = sweep(NOW)
    assert done["offered_back"] == 0 and done["routed_from_queue"] == 0


def test_light_agents_and_deactivated_agents_are_never_routed_to(db):
    team = orders()
    member(team, "Lee", role="light_agent")
    gone = member(team, "Gus")
    gone.user.is_active = False
    gone.user.save()
    eli = member(team, "Eli")
    held(eli, 5, team)
    assert [arrive(team).assignee for _ in range(2)] == [eli, eli]


def test_a_decision_takes_a_handful_of_queries_however_big_the_team(
    db, django_assert_max_num_queries
):
    from regard.service.routing import route_arrival

    team = orders()
    for n in range(3):
        member(team, f"Small{n}")
    small = actions.open_conversation(
        None, make_customer(), subject="A", channel="email", team=team
    )
    # On PostgreSQL: 9 statements, and a savepoint each around route() and the agent's claim.
    with django_assert_max_num_queries(14) as few:
        route_arrival(small, at=NOW)
    for n in range(40):
        member(team, f"Big{n}")
    big = actions.open_conversation(None, make_customer(), subject="B", channel="email", team=team)
    with django_assert_max_num_queries(len(few.captured_queries)):
        route_arrival(big, at=NOW)
    assert small.assignee and big.assignee


def test_staying_in_the_queue_writes_nothing_to_the_conversation(db):
    team = orders()
    member(team, "Dana", availability=Availability.AWAY)
    conversation = arrive(team)
    before = Conversation.objects.get(pk=conversation.pk).updated_at
    decision = route(conversation, at=NOW + timedelta(hours=1))
    assert decision.assignee is None and decision.team == team
    stored = Conversation.objects.get(pk=conversation.pk)
    assert (stored.assignee, stored.team, stored.updated_at) == (None, team, before)
    assert len(routed(conversation)) == 2  # the second decision is still on the timeline


def test_a_new_customers_first_conversation_is_routed_from_memory(db):
    """Opened in the same transaction as its customer: no lock row to read, nobody who helped
    them before to look for, and the same decision as for any other new conversation."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from regard.customers.actions import resolve_customer
    from regard.service.routing import LAST_HELPER_SQL, LOCK_SQL

    team = orders()
    dana = member(team, "Dana")
    member(team, "Eli", availability=Availability.AWAY)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        resolved = resolve_customer("email", "new@example.com", "Noor")
        assert resolved.created
        conversation = actions.open_conversation(
            None, resolved.customer, subject="Hi", channel="email", team=team, new_customer=True
        )
    read = [q["sql"] for q in queries.captured_queries]
    assert not any(LOCK_SQL.split(" FROM")[0] in sql for sql in read)
    assert not any("ORDER BY m.created_at DESC" in sql for sql in read), LAST_HELPER_SQL
    stored = Conversation.objects.get(pk=conversation.pk)
    assert stored.assignee == dana and stored.team == team
    assert routed(conversation) == ["assigned to Dana: least loaded in Orders, 0 open (load 0)"]
