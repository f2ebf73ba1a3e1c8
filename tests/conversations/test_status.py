"""The status machine of a conversation and what replies do to it."""

import pytest

from regard.conversations import actions
from regard.conversations.choices import TRANSITIONS, EventKind, Status
from regard.conversations.models import Conversation, Event
from tests.factories import make_conversation

pytestmark = pytest.mark.django_db


def test_unknown_status_is_refused(agent):
    conversation = make_conversation()
    with pytest.raises(actions.InvalidTransition, match="unknown status"):
        actions.change_status(agent.user, conversation, "archived")


@pytest.mark.parametrize("start", Status.values)
@pytest.mark.parametrize("goal", Status.values)
def test_every_transition_follows_the_table(agent, start, goal):
    conversation = make_conversation()
    Conversation.objects.filter(pk=conversation.pk).update(status=start)
    conversation.refresh_from_db()
    if goal in TRANSITIONS[start]:
        assert actions.change_status(agent.user, conversation, goal).status == goal
    else:
        with pytest.raises(actions.InvalidTransition):
            actions.change_status(agent.user, conversation, goal)


def test_a_new_conversation_waits_for_an_answer_and_a_reply_ends_the_wait(agent):
    conversation = make_conversation()
    assert conversation.status == Status.NEW
    assert conversation.waiting_since is not None
    actions.send_reply(agent.user, conversation, "Hi Zoë, I'll check it today by 5pm.")
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN
    assert conversation.waiting_since is None
    assert conversation.first_reply_at is not None


def test_an_empty_reply_is_refused(agent):
    with pytest.raises(ValueError, match="needs some text"):
        actions.send_reply(agent.user, make_conversation(), "   ")


def test_a_customer_reply_reopens_a_solved_conversation(agent):
    conversation = make_conversation()
    actions.send_reply(agent.user, conversation, "Done!", status=Status.SOLVED)
    conversation.refresh_from_db()
    assert conversation.status == Status.SOLVED and conversation.solved_at
    actions.receive_message(conversation, text_full="It broke again.")
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN and conversation.solved_at is None
    reasons = Event.objects.filter(kind=EventKind.STATUS_CHANGED).values_list("data", flat=True)
    assert any(r.get("reason") == "customer replied" for r in reasons)


def test_a_customer_reply_to_a_closed_conversation_starts_a_linked_one(agent):
    conversation = make_conversation()
    actions.change_status(agent.user, conversation, Status.SOLVED)
    actions.change_status(agent.user, conversation, Status.CLOSED)
    message = actions.receive_message(conversation, text_full="Me again!")
    follow_up = message.conversation
    assert follow_up.pk != conversation.pk
    assert follow_up.linked_from_id == conversation.pk
    assert follow_up.status == Status.NEW
    with pytest.raises(actions.InvalidTransition):
        actions.send_reply(agent.user, conversation, "Too late")


def test_every_action_leaves_an_event_on_the_timeline(agent, team):
    conversation = make_conversation(subject="Ünïcödé 📦 subject")
    actions.assign_conversation(agent.user, conversation, agent, team=team, reason="their person")
    actions.set_tags(agent.user, conversation, ["Delivery", " late "])
    actions.add_note(agent.user, conversation, "Warehouse says Tuesday")
    kinds = list(conversation.events.values_list("kind", flat=True))
    assert kinds == [
        EventKind.CONVERSATION_OPENED,
        EventKind.ROUTED,  # at opening; left unassigned: no team takes new conversations
        EventKind.MESSAGE_RECEIVED,
        EventKind.ASSIGNED,
        EventKind.TAGGED,
        EventKind.NOTE_ADDED,
    ]
    assert sorted(conversation.tags.values_list("name", flat=True)) == ["delivery", "late"]
    assert Conversation.objects.get(pk=conversation.pk).subject == "Ünïcödé 📦 subject"
