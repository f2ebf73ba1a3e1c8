"""Working together: live changes, who else is in a conversation, stale drafts, bulk actions."""

import pytest
from django.urls import reverse
from django.utils import timezone

from regard.accounts.choices import Role
from regard.conversations import actions
from regard.conversations.models import Conversation, Message, Presence
from regard.conversations.presence import FRESH, REFRESH, mark_present, others_present, visit
from regard.web import live
from tests.factories import PASSWORD, make_agent, make_conversation, make_customer, make_team

pytestmark = pytest.mark.django_db


def login(client, agent):
    assert client.login(username=agent.user.username, password=PASSWORD)
    return client


def test_changes_list_only_conversations_the_agent_may_see(agent, team):
    since = live.latest_id()
    mine = make_conversation(team=team, subject="Ours")
    make_conversation(team=make_team("Billing"), subject="Theirs")
    changes = live.changes(agent.user, since)
    assert {c["conversation"] for c in changes} == {mine.pk}
    assert [c["id"] for c in changes] == sorted(c["id"] for c in changes)
    assert live.changes(agent.user, changes[-1]["id"]) == []


def test_the_stream_resumes_after_the_last_event_id(client, agent, team):
    first = make_conversation(team=team)
    login(client, agent)
    since = live.latest_id()
    actions.add_note(agent.user, first, "hello")
    response = client.get(reverse("web:stream"), HTTP_LAST_EVENT_ID=str(since))
    assert response["Content-Type"] == "text/event-stream"
    stream = iter(response.streaming_content)
    assert next(stream).decode().startswith("retry:")
    event = next(stream).decode()
    assert "event: change" in event and f'"conversation": {first.pk}' in event
    assert '"kind": "message.noted"' in event


def test_a_new_stream_starts_from_now(client, agent, team):
    make_conversation(team=team)
    login(client, agent)
    stream = iter(client.get(reverse("web:stream")).streaming_content)
    next(stream)
    assert next(stream).decode() == f"id: {live.latest_id()}\nevent: ready\ndata: {{}}\n\n"


def test_the_stream_lets_only_this_hosts_pages_send_their_session(client, agent, settings):
    settings.BASE_URL = "https://help.example.com"
    login(client, agent)
    url = reverse("web:stream") + "?since=0"

    def origin_allowed(origin: str) -> str | None:
        response = client.get(url, HTTP_ORIGIN=origin, HTTP_HOST="127.0.0.1:8001")
        assert response.status_code == 200
        return response.headers.get("Access-Control-Allow-Origin")

    assert origin_allowed("http://127.0.0.1:8000") == "http://127.0.0.1:8000"
    assert origin_allowed("https://help.example.com") == "https://help.example.com"
    assert origin_allowed("http://evil.example:8000") is None
    assert origin_allowed("http://127.0.0.1.evil.example") is None


def test_the_streams_preflight_needs_no_session_and_a_stranger_is_sent_to_log_in(client):
    preflight = client.options(
        reverse("web:stream"), HTTP_ORIGIN="http://127.0.0.1:8000", HTTP_HOST="127.0.0.1:8001"
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Credentials"] == "true"
    assert "Last-Event-ID" in preflight["Access-Control-Allow-Headers"]
    stranger = client.get(reverse("web:stream"))
    assert stranger.status_code == 302 and "/login/" in stranger["Location"]
    assert client.post(reverse("web:stream")).status_code in (302, 405)


def test_pages_open_the_stream_on_the_stream_process_when_there_is_one(client, agent, settings):
    login(client, agent)
    settings.AGENT_STREAM_PORT = 0
    page = client.get(reverse("web:inbox"), HTTP_HOST="localhost:8000")
    assert 'data-live-url="/stream"' in page.content.decode()
    assert "connect-src 'self';" in page["Content-Security-Policy"]
    settings.AGENT_STREAM_PORT = 8001
    page = client.get(reverse("web:inbox"), HTTP_HOST="localhost:8000")
    assert 'data-live-url="http://localhost:8001/stream"' in page.content.decode()
    assert "connect-src 'self' http://localhost:8001;" in page["Content-Security-Policy"]


def test_colleagues_see_who_views_and_who_types(client, agent, team):
    conversation = make_conversation(team=team)
    sam = make_agent("sam", teams=[team], display_name="Sam Okafor")
    mark_present(sam, conversation, typing=True)
    assert [p.agent for p in others_present(agent, conversation)] == [sam]
    assert others_present(sam, conversation) == []
    login(client, agent)
    url = reverse("web:presence", args=[conversation.pk])
    assert "Sam Okafor is typing a reply" in client.post(url).content.decode()
    page = client.get(reverse("web:conversation", args=[conversation.pk])).content.decode()
    assert "Sam Okafor is typing a reply" in page


def test_a_reply_drafted_before_a_new_customer_message_is_held_back(client, agent, team):
    conversation = make_conversation(team=team, assignee=agent, text="First question")
    seen = conversation.messages.get().pk
    actions.receive_message(conversation, text_full="Actually, one more thing!")
    login(client, agent)
    url = reverse("web:reply", args=[conversation.pk])
    client.post(url, {"kind": "reply", "text": "Hi, here is the answer.", "seen": seen})
    assert not Message.objects.filter(direction="outbound").exists()
    page = client.get(reverse("web:conversation", args=[conversation.pk])).content.decode()
    assert "wrote again while you were drafting" in page
    assert "Hi, here is the answer.</textarea>" in page
    client.post(
        url, {"kind": "reply", "text": "Hi, both answered.", "seen": seen, "send_anyway": "1"}
    )
    assert Message.objects.get(direction="outbound").text_full == "Hi, both answered."


def test_a_reply_with_nothing_new_goes_out_at_once(client, agent, team):
    conversation = make_conversation(team=team, assignee=agent)
    seen = conversation.messages.get().pk
    login(client, agent)
    client.post(reverse("web:reply", args=[conversation.pk]), {"text": "Hi!", "seen": seen})
    assert Message.objects.filter(direction="outbound").count() == 1


def test_bulk_assign_tag_and_status_touch_only_visible_conversations(client, agent, team):
    ours = [make_conversation(team=team) for _ in range(3)]
    theirs = make_conversation(team=make_team("Billing"))
    sam = make_agent("sam", teams=[team])
    login(client, agent)
    url = reverse("web:bulk")
    ids = [c.pk for c in ours] + [theirs.pk]
    client.post(url, {"action": "assign", "ids": ids, "assignee": sam.pk})
    assert set(Conversation.objects.filter(assignee=sam)) == set(ours)
    client.post(url, {"action": "tag", "ids": ids, "tags": "refund, Urgent"})
    assert sorted(ours[0].tags.values_list("name", flat=True)) == ["refund", "urgent"]
    assert not theirs.tags.exists()
    client.post(url, {"action": "status", "ids": ids, "status": "pending"})
    assert {c.status for c in Conversation.objects.filter(team=team)} == {"pending"}
    theirs.refresh_from_db()
    assert theirs.status == "new" and theirs.assignee is None


def test_bulk_refuses_bad_input_without_changing_anything(client, agent, team):
    conversations = [make_conversation(team=team) for _ in range(2)]
    login(client, agent)
    url = reverse("web:bulk")
    ids = [c.pk for c in conversations]
    assert client.post(url, {"action": "explode", "ids": ids}).status_code == 400
    response = client.post(url, {"action": "status", "ids": ids, "status": "nonsense"}, follow=True)
    assert "Nothing changed" in response.content.decode()
    assert {c.status for c in Conversation.objects.all()} == {"new"}
    response = client.post(url, {"action": "tag", "ids": ids, "tags": " , "}, follow=True)
    assert "type one or more tags" in response.content.decode()
    other = make_agent("other", teams=[make_team("Billing")])
    client.post(url, {"action": "assign", "ids": ids, "assignee": other.pk}, follow=True)
    assert not Conversation.objects.filter(assignee=other).exists()


def test_bulk_merge_keeps_the_oldest_and_needs_one_customer(client, agent, team):
    customer = make_customer("ana@example.com", "Ana")
    first = make_conversation(customer=customer, team=team, subject="Lamp")
    second = make_conversation(customer=customer, team=team, subject="Lamp again")
    stranger = make_conversation(team=team)
    login(client, agent)
    url = reverse("web:bulk")
    response = client.post(url, {"action": "merge", "ids": [first.pk, stranger.pk]}, follow=True)
    assert "same customer" in response.content.decode()
    client.post(url, {"action": "merge", "ids": [second.pk, first.pk]})
    second.refresh_from_db()
    assert second.status == "closed" and second.linked_from == first
    assert first.messages.count() == 2


def test_a_light_agent_cannot_act_in_bulk(client, team):
    light = make_agent("light", role=Role.LIGHT_AGENT, teams=[team])
    conversation = make_conversation(team=team)
    login(client, light)
    response = client.post(
        reverse("web:bulk"), {"action": "assign", "ids": [conversation.pk], "assignee": "me"}
    )
    assert response.status_code == 403


def test_assigning_from_the_conversation_records_who_did_it(client, agent, team):
    conversation = make_conversation(team=team)
    login(client, agent)
    client.post(reverse("web:assign", args=[conversation.pk]), {"assignee": "me"})
    conversation.refresh_from_db()
    assert conversation.assignee == agent
    event = conversation.events.filter(kind="conversation.assigned").last()
    assert event.actor == agent.user and event.data["reason"] == "assigned by hand"


def test_a_visit_writes_only_news(agent, team):
    """Opening a conversation again within seconds, saying the same, takes no write lock."""
    conversation = make_conversation(team=team)
    sam = make_agent("sam", teams=[team], display_name="Sam Okafor")
    start = timezone.now()
    assert visit(agent, conversation, at=start) == []
    assert [p.agent for p in visit(sam, conversation, typing=True, at=start)] == [agent]
    seen = Presence.objects.get(agent=agent).seen_at
    visit(agent, conversation, at=start + REFRESH / 2)
    assert Presence.objects.get(agent=agent).seen_at == seen  # nothing new to say
    visit(agent, conversation, typing=True, at=start + REFRESH / 2)
    assert Presence.objects.get(agent=agent).typing  # news: now typing
    visit(agent, conversation, typing=True, at=start + REFRESH * 2)
    assert Presence.objects.get(agent=agent).seen_at == start + REFRESH * 2  # still here
    assert visit(sam, conversation, at=start + FRESH * 2) == []  # agent's view went stale


def test_marking_presence_keeps_one_row_per_agent_and_conversation(agent, team):
    conversation = make_conversation(team=team)
    start = timezone.now()
    mark_present(agent, conversation, at=start - FRESH * 20)  # long gone
    mark_present(agent, conversation, at=start)  # the same row, brought up to date
    assert Presence.objects.get(agent=agent).seen_at == start
    sam = make_agent("sam", teams=[team])
    other = make_conversation(team=team)
    mark_present(sam, other, typing=True, at=start)
    assert Presence.objects.count() == 2
    Presence.objects.filter(agent=agent).update(seen_at=start - FRESH * 20)
    mark_present(sam, conversation, at=start)  # a new row sweeps the stale ones away
    assert set(Presence.objects.values_list("agent", "conversation")) == {
        (sam.pk, other.pk),
        (sam.pk, conversation.pk),
    }
