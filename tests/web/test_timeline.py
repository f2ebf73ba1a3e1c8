"""The conversation timeline shows what happened between the messages, in words."""

import pytest
from django.urls import reverse

from regard.conversations import actions
from regard.conversations.events import record_event
from regard.conversations.timeline import describe, timeline
from tests.factories import PASSWORD, make_conversation

pytestmark = pytest.mark.django_db


def test_status_changes_assignments_and_promises_appear_between_messages(client, agent, team):
    conversation = make_conversation(subject="Broken lamp", team=team)
    actions.assign_conversation(agent.user, conversation, agent, team=team, reason="their person")
    actions.send_reply(agent.user, conversation, "I will call you tomorrow at 10am.")
    actions.change_status(agent.user, conversation, "pending")
    client.login(username=agent.user.username, password=PASSWORD)
    body = client.get(reverse("web:conversation", args=[conversation.pk])).content.decode()
    body = body[body.index('id="timeline"') :]
    assigned = body.index(f"assigned to {agent.display_name} in {team.name}: their person")
    reply = body.index("I will call you tomorrow at 10am.")
    status = body.index("open → pending")
    assert assigned < reply < status
    assert "Promise made" in body and "Message received" not in body


def test_an_unknown_kind_shows_its_summary_and_hostile_data_stays_text(agent, team):
    conversation = make_conversation(team=team)
    event = record_event(
        "routed", conversation=conversation, summary="<b>assigned</b> to Dana: their person"
    )
    assert describe(event) == "<b>assigned</b> to Dana: their person"
    entries = timeline(conversation, list(conversation.messages.all()))
    kinds = [e.event.kind for e in entries if e.event]
    assert kinds[0] == "conversation.opened" and kinds[-1] == "routed"
    assert "message.received" not in kinds


def test_the_page_escapes_event_text(client, agent, team):
    conversation = make_conversation(team=team, assignee=agent)
    record_event("routed", conversation=conversation, summary="<script>alert(1)</script>")
    client.login(username=agent.user.username, password=PASSWORD)
    body = client.get(reverse("web:conversation", args=[conversation.pk])).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_every_apps_event_codes_have_labels(agent, team):
    conversation = make_conversation(team=team)
    for kind, label in (
        ("survey.answered", "Survey answered"),
        ("incident.update_sent", "Incident update sent"),
        ("service.breached", "Service level breached"),
    ):
        event = record_event(kind, conversation=conversation)
        assert event.label == label


def test_a_note_written_by_regard_itself_shows(client, agent, team):
    conversation = make_conversation(team=team, assignee=agent)
    actions.add_note(None, conversation, "Automatic reply from ana@example.com")
    client.login(username=agent.user.username, password=PASSWORD)
    response = client.get(reverse("web:conversation", args=[conversation.pk]))
    assert response.status_code == 200
    assert "Automatic reply from ana@example.com" in response.content.decode()
