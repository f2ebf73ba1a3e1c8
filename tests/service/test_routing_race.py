"""Several workers routing at once never assign beyond capacity nor one conversation twice."""

from __future__ import annotations

import random
import threading

import pytest
from django.db import connection
from django.db.models import Count, Q

from regard.accounts.choices import RoutingMode
from regard.accounts.models import Agent
from regard.conversations import actions
from regard.conversations.choices import ACTIVE_STATUSES, EventKind
from regard.conversations.models import Conversation, Event
from regard.service.routing import route, route_arrival
from regard.service.routing_actions import update_team_routing
from tests.factories import make_agent, make_customer, make_team

WORKERS = 8
CAPACITY = 3


def run_together(work, count: int) -> list[Exception]:
    """Run `work(i)` in `count` threads released at the same moment; returns their errors."""
    errors = []
    barrier = threading.Barrier(count)

    def worker(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def queue_of(count: int, mode: str):
    team = make_team("Orders")
    update_team_routing(team, routing_mode=mode, offer_back_after=None, receives_new=False)
    agents = [make_agent(f"racer{i}", teams=[team]) for i in range(4)]
    Agent.objects.update(capacity=CAPACITY)
    conversations = [
        actions.open_conversation(
            None, make_customer(), subject=f"Order {i}", channel="email", team=team
        )
        for i in range(count)
    ]
    return agents, conversations


def assert_no_agent_over_capacity() -> None:
    active = Count("conversations", filter=Q(conversations__status__in=ACTIVE_STATUSES))
    loads = dict(Agent.objects.annotate(n=active).values_list("display_name", "n"))
    assert max(loads.values()) <= CAPACITY, loads
    assert sum(loads.values()) == 4 * CAPACITY, loads


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", [RoutingMode.LEAST_LOADED, RoutingMode.ROUND_ROBIN])
def test_concurrent_workers_respect_capacity_and_route_each_conversation_once(mode):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL (run in CI)")
    _, conversations = queue_of(20, mode)

    def work(i: int) -> None:
        # Every worker routes every conversation, each in its own order: all of them collide.
        mine = conversations[:]
        random.Random(i).shuffle(mine)
        for conversation in mine:
            route(Conversation.objects.get(pk=conversation.pk), once=True)

    assert run_together(work, WORKERS) == []
    assert_no_agent_over_capacity()
    events = Event.objects.filter(kind=EventKind.ROUTED)
    per_conversation = events.values("conversation").annotate(n=Count("id"))
    assert sorted(row["n"] for row in per_conversation) == [1] * 20
    for event in events.select_related("conversation__assignee"):
        assignee = event.conversation.assignee
        assert event.data["assignee"] == (assignee.display_name if assignee else None)


@pytest.mark.django_db(transaction=True)
def test_messages_arriving_at_once_through_the_pipeline_stay_within_capacity():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL (run in CI)")
    _, conversations = queue_of(16, RoutingMode.LEAST_LOADED)

    def work(i: int) -> None:
        for conversation in conversations[i::WORKERS]:
            actions.receive_message(conversation, text_full="Hello?")
            route_arrival(Conversation.objects.get(pk=conversation.pk))

    assert run_together(work, WORKERS) == []
    assert_no_agent_over_capacity()
    routed = Event.objects.filter(kind=EventKind.ROUTED)
    assert routed.count() == 16
    queued = [event for event in routed if event.data["assignee"] is None]
    assert len(queued) == 16 - 4 * CAPACITY
