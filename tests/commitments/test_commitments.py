"""Every promise in a sent reply is tracked until kept, renegotiated or broken."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from regard.commitments.actions import (
    break_overdue_commitments,
    keep_commitment,
    remind_due_commitments,
    renegotiate_commitment,
)
from regard.commitments.choices import State
from regard.commitments.models import Commitment
from regard.conversations import actions
from regard.conversations.choices import EventKind
from regard.system.clock import sweep
from tests.factories import make_conversation

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_10 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=BERLIN)


@pytest.fixture
def berlin_agent(agent):
    agent.time_zone = "Europe/Berlin"
    agent.save()
    return agent


def reply(agent, text, at=MONDAY_10):
    conversation = make_conversation(at=at - dt.timedelta(hours=1))
    return actions.send_reply(agent.user, conversation, text, at=at)


def test_a_reply_without_promises_records_none(berlin_agent):
    reply(berlin_agent, "Thanks for your patience, Zoë. Your parcel arrived this morning.")
    assert not Commitment.objects.exists()


def test_a_promise_with_a_day_is_due_at_five_that_day(berlin_agent):
    message = reply(berlin_agent, "Hi Zoë, I'll ship a replacement by Thursday.")
    commitment = Commitment.objects.get()
    assert commitment.message == message and commitment.agent == berlin_agent
    assert commitment.due_at == dt.datetime(2026, 3, 5, 17, 0, tzinfo=BERLIN)
    assert commitment.has_timeline and "replacement" in commitment.text
    assert message.conversation.events.filter(kind=EventKind.PROMISE_MADE).exists()


def test_a_promise_without_time_gets_a_default_and_is_flagged(berlin_agent):
    reply(berlin_agent, "I'll check with the warehouse and get back to you.")
    commitment = Commitment.objects.get()
    assert not commitment.has_timeline
    assert commitment.due_at == MONDAY_10 + dt.timedelta(hours=24)


def test_kept_promises_close_and_cannot_be_kept_twice(berlin_agent):
    reply(berlin_agent, "I will call you tomorrow at 3pm.")
    commitment = keep_commitment(berlin_agent.user, Commitment.objects.get(), "Called, all fine")
    assert commitment.state == State.KEPT and commitment.kept_how == "Called, all fine"
    with pytest.raises(ValueError, match="already kept"):
        keep_commitment(berlin_agent.user, commitment)


def test_overdue_promises_break_once_and_reminders_come_before(berlin_agent):
    reply(berlin_agent, "I will call you tomorrow at 3pm.")
    due = dt.datetime(2026, 3, 3, 15, 0, tzinfo=BERLIN)
    assert remind_due_commitments(due - dt.timedelta(hours=3)) == []
    assert len(remind_due_commitments(due - dt.timedelta(hours=1))) == 1
    assert remind_due_commitments(due - dt.timedelta(minutes=30)) == []
    assert break_overdue_commitments(due - dt.timedelta(minutes=1)) == 0
    assert sweep(due + dt.timedelta(minutes=1))["promises_broken"] == 1
    assert break_overdue_commitments(due + dt.timedelta(hours=1)) == 0
    assert Commitment.objects.get().state == State.BROKEN


def test_renegotiating_opens_a_new_promise(berlin_agent):
    reply(berlin_agent, "I will call you tomorrow at 3pm.")
    old = Commitment.objects.get()
    later = dt.datetime(2026, 3, 6, 12, 0, tzinfo=BERLIN)
    new = renegotiate_commitment(berlin_agent.user, old, later, "customer away")
    old.refresh_from_db()
    assert old.state == State.RENEGOTIATED and new.state == State.OPEN and new.due_at == later


def test_follow_through_rate_per_agent_and_overall(berlin_agent, supervisor):
    reply(berlin_agent, "I will call you tomorrow at 3pm. I'll email the label by Friday.")
    first, second = Commitment.objects.order_by("id")
    keep_commitment(berlin_agent.user, first)
    break_overdue_commitments(dt.datetime(2026, 3, 10, tzinfo=BERLIN))
    assert Commitment.objects.follow_through() == 0.5
    assert Commitment.objects.follow_through("agent") == {berlin_agent.pk: 0.5}


def test_a_later_reply_that_does_what_was_promised_is_offered_as_keeping_it(berlin_agent):
    message = reply(berlin_agent, "I'll email you the return label by Friday.")
    conversation = message.conversation
    commitment = Commitment.objects.get()
    actions.send_reply(
        berlin_agent.user,
        conversation,
        "Hi Zoë, thanks for waiting.",
        at=MONDAY_10 + dt.timedelta(hours=1),
    )
    commitment.refresh_from_db()
    assert commitment.maybe_kept_by is None
    later = actions.send_reply(
        berlin_agent.user,
        conversation,
        "Hi Zoë, I've attached the return label as promised.",
        at=MONDAY_10 + dt.timedelta(hours=2),
    )
    commitment.refresh_from_db()
    assert commitment.maybe_kept_by == later
    assert commitment.state == State.OPEN  # the agent confirms; nothing is assumed
