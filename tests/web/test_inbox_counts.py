"""The inbox's page order and its kept counts: fast on a large desk, never wrong after a change."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from regard.conversations import actions
from regard.conversations.access import conversations_for
from regard.conversations.models import Conversation
from regard.service.models import ServiceClock
from regard.web.inbox import view_counts, view_rows
from tests.factories import PASSWORD, make_conversation

pytestmark = pytest.mark.django_db


@pytest.fixture
def keeping(settings):
    settings.INBOX_COUNTS_SECONDS = 30
    cache.clear()
    yield
    cache.clear()


def test_counts_are_kept_until_the_timeline_moves_on(keeping, agent, team):
    conversation = make_conversation(team=team, assignee=agent)
    visible = conversations_for(agent.user)
    assert view_counts(visible, agent)["mine"] == 1
    # A change that records no event is not seen while the counts are kept ...
    Conversation.objects.filter(pk=conversation.pk).update(assignee=None)
    assert view_counts(visible, agent)["mine"] == 1
    # ... and any action (each records an event) makes the next request count afresh.
    actions.change_status(agent.user, conversation, "solved")
    counts = view_counts(visible, agent)
    assert counts["mine"] == 0 and counts["unassigned"] == 0


def test_without_keeping_every_request_counts(agent, team):
    conversation = make_conversation(team=team, assignee=agent)
    visible = conversations_for(agent.user)
    assert view_counts(visible, agent)["mine"] == 1
    Conversation.objects.filter(pk=conversation.pk).update(assignee=None)
    assert view_counts(visible, agent)["mine"] == 0


def test_those_waiting_come_first_longest_first_then_the_rest_latest_first(agent, team):
    now = timezone.now()
    old = make_conversation(team=team, assignee=agent, at=now - timedelta(hours=5))
    new = make_conversation(team=team, assignee=agent, at=now - timedelta(hours=1))
    answered = []
    for hours in (3, 2):
        conversation = make_conversation(team=team, assignee=agent, at=now - timedelta(hours=4))
        actions.send_reply(agent.user, conversation, "Done.", at=now - timedelta(hours=hours))
        Conversation.objects.filter(pk=conversation.pk).update(
            updated_at=now - timedelta(hours=hours)
        )
        answered.append(conversation)
    visible = conversations_for(agent.user)
    rows = view_rows("mine", visible, agent)
    assert [r.pk for r in rows] == [old.pk, new.pk, answered[1].pk, answered[0].pk]
    # A page that ends among those waiting never reaches the rest; one that spans both does.
    assert [r.pk for r in view_rows("mine", visible, agent, limit=1)] == [old.pk]
    assert [r.pk for r in view_rows("mine", visible, agent, limit=3)] == [
        old.pk,
        new.pk,
        answered[1].pk,
    ]


def test_each_row_carries_its_earliest_running_due_time(agent, team):
    conversation = make_conversation(team=team, assignee=agent)
    ServiceClock.objects.filter(conversation=conversation).delete()
    now = timezone.now()
    for metric, hours, stopped in (
        ("first_reply", 3, None),
        ("resolution", 2, None),
        ("next_reply", 1, now),  # stopped: no longer counts
    ):
        ServiceClock.objects.create(
            conversation=conversation,
            metric=metric,
            target_minutes=hours * 60,
            started_at=now,
            due_at=now + timedelta(hours=hours),
            stopped_at=stopped,
        )
    rows = view_rows("mine", conversations_for(agent.user), agent)
    assert rows[0].next_due == now + timedelta(hours=2)
    by_due = view_rows("mine", conversations_for(agent.user), agent, sort="due")
    assert by_due[0].next_due == now + timedelta(hours=2)


def test_a_live_refresh_brings_the_counts_along_in_the_same_response(client, agent, team):
    make_conversation(team=team, assignee=agent)
    client.login(username=agent.user.username, password=PASSWORD)
    plain = client.get(reverse("web:inbox")).content.decode()
    refresh = client.get(reverse("web:inbox"), HTTP_HX_REQUEST="true").content.decode()
    assert 'id="inbox-views" aria-label="Inbox views" hx-swap-oob="true"' in refresh
    assert "hx-swap-oob" not in plain
