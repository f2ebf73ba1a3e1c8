"""The visitor's stream for real: uvicorn serving regard.asgi on a free port, a real HTTP client.

Without Redis the stream polls the database; with REDIS_URL set the test proves the message came
through pub/sub by making the stream's database reads fail once it has caught up.
"""

from __future__ import annotations

import http.client
import json
import threading
import time

import pytest
import uvicorn
from django.conf import settings as django_settings
from django.db import connection

from regard.channels.chat import polling
from regard.channels.chat import stream as stream_module
from regard.channels.chat.tokens import visitor_token
from regard.conversations.actions import send_reply
from regard.conversations.models import Conversation
from tests.channels.chat.helpers import ORIGIN, call, start
from tests.channels.servers import free_port, wait_for_port

pytestmark = pytest.mark.usefixtures("chat_settings")


@pytest.fixture
def server(transactional_db):
    """uvicorn in a thread of this process, so it reads the test database."""
    max_age = connection.settings_dict.get("CONN_MAX_AGE", 0)
    connection.settings_dict["CONN_MAX_AGE"] = 0  # the test database is dropped afterwards
    port = free_port()
    config = uvicorn.Config(
        "regard.asgi:application",
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    wait_for_port(port)
    yield port
    runner.should_exit = True
    thread.join(timeout=10)
    connection.settings_dict["CONN_MAX_AGE"] = max_age


class Events:
    """Server-sent events read off a real HTTP response, one at a time."""

    def __init__(self, port: int, query: str, **headers):
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        self.http.request("GET", f"/chat/stream?{query}", headers={"Origin": ORIGIN, **headers})
        self.response = self.http.getresponse()
        self.buffer = b""

    def next(self, timeout: float = 5.0) -> tuple[str, dict]:
        """The next event (comments skipped) as (kind, data)."""
        deadline = time.monotonic() + timeout
        while True:
            while b"\n\n" in self.buffer:
                block, self.buffer = self.buffer.split(b"\n\n", 1)
                fields = dict(
                    line.split(": ", 1)
                    for line in block.decode().splitlines()
                    if ": " in line and not line.startswith(":")
                )
                if "event" in fields:
                    return fields["event"], json.loads(fields["data"])
            assert time.monotonic() < deadline, "no event in time"
            self.buffer += self.response.read1(65536)

    def close(self):
        self.http.close()


def test_the_stream_refuses_a_missing_or_tampered_token(server):
    for query in ["", "token=nonsense", "token=abc:def:ghi"]:
        http = http_get(server, f"/chat/stream?{query}")
        assert http.status == 401
        assert "error" in json.loads(http.read())


def http_get(port: int, path: str):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", path, headers={"Origin": ORIGIN})
    return conn.getresponse()


def test_messages_both_ways_and_agent_typing_arrive_on_the_stream(
    server, client, agent, monkeypatch
):
    data = start(client, name="Ana")
    call(client, "messages", {"text": "Hello?"}, token=data["token"])
    events = Events(server, f"token={data['token']}&after=0")
    try:
        assert events.response.status == 200
        assert events.response.getheader("Content-Type").startswith("text/event-stream")
        assert events.response.getheader("Access-Control-Allow-Origin") == ORIGIN
        assert events.next() == ("ready", {})
        kind, first = events.next()
        assert (kind, first["text"], first["direction"]) == ("message", "Hello?", "in")

        if django_settings.REDIS_URL:  # from here on only pub/sub can bring anything
            monkeypatch.setattr(stream_module, "messages_after", refuse_database)
            monkeypatch.setattr(polling, "changes", refuse_database)

        sent = time.monotonic()
        call(client, "messages", {"text": "Order 1234"}, token=data["token"])
        kind, second = events.next()
        arrived = time.monotonic() - sent
        assert (kind, second["text"], second["direction"]) == ("message", "Order 1234", "in")
        assert second["id"] > first["id"]
        if django_settings.REDIS_URL:
            assert arrived < 0.3, arrived

        send_reply(agent.user, Conversation.objects.get(), "Hi Ana, on its way.")
        kind, reply = events.next()
        assert (kind, reply["direction"], reply["text"]) == (
            "message",
            "out",
            "Hi Ana, on its way.",
        )
        assert reply["author"] == {"name": "Dana Reyes", "initials": "DR"}

        client.force_login(agent.user)
        conversation = Conversation.objects.get()
        client.post(f"/conversations/{conversation.pk}/presence", {"typing": "1"})
        kind, typing = events.next()
        assert kind == "typing"
        assert typing == {"typing": True, "author": {"name": "Dana Reyes", "initials": "DR"}}
    finally:
        events.close()


def refuse_database(*args):
    raise AssertionError("the stream read the database although Redis told it everything")


def test_a_reconnecting_stream_gets_only_what_it_missed(server, client):
    data = start(client, name="Ana")
    for text in ["one", "two", "three"]:
        call(client, "messages", {"text": text}, token=data["token"])
    ids = [m["id"] for m in start(client, token=data["token"])["messages"]]
    events = Events(server, f"token={data['token']}", **{"Last-Event-ID": str(ids[0])})
    try:
        assert events.next()[0] == "ready"
        assert [events.next()[1]["text"] for _ in range(2)] == ["two", "three"]
    finally:
        events.close()


def test_a_revoked_session_cannot_open_a_stream(server, client):
    from regard.channels.chat.models import ChatSession

    data = start(client)
    session = ChatSession.objects.get()
    token = visitor_token(session)
    ChatSession.objects.update(nonce="revoked")
    assert http_get(server, f"/chat/stream?token={token}").status == 401
    assert data["token"]


def test_a_lost_publication_still_arrives_from_the_database(server, client, monkeypatch):
    if not django_settings.REDIS_URL:
        pytest.skip("without Redis the stream reads the database anyway")
    monkeypatch.setattr(stream_module, "CHECK_SECONDS", 0.3)
    data = start(client, name="Ana")
    events = Events(server, f"token={data['token']}")
    try:
        assert events.next()[0] == "ready"
        monkeypatch.setattr("regard.channels.chat.delivery.publish", lambda *a, **k: None)
        call(client, "messages", {"text": "lost in the post"}, token=data["token"])
        kind, message = events.next(timeout=3)
        assert (kind, message["text"]) == ("message", "lost in the post")
    finally:
        events.close()


def test_a_quiet_stream_sends_keep_alives_and_ends_for_the_browser_to_reconnect(
    server, client, monkeypatch
):
    monkeypatch.setattr(stream_module, "KEEPALIVE_SECONDS", 0.2)
    monkeypatch.setattr(stream_module, "STREAM_SECONDS", 1.0)
    data = start(client)
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=5)
    conn.request("GET", f"/chat/stream?token={data['token']}")
    started = time.monotonic()
    body = conn.getresponse().read().decode()  # returns once the server ends the stream
    assert time.monotonic() - started < 4
    assert body.startswith("retry: 1000\n\nevent: ready\ndata: {}\n\n")
    assert ": keep-alive\n\n" in body


def test_without_redis_one_poll_serves_every_open_stream(server, client, monkeypatch):
    if django_settings.REDIS_URL:
        pytest.skip("with Redis nothing polls")
    asked = []
    real = polling.changes

    def recording(session_ids, after):
        asked.append(sorted(session_ids))
        return real(session_ids, after)

    monkeypatch.setattr(polling, "changes", recording)
    tokens = [start(client, name=f"V{n}")["token"] for n in range(3)]
    streams = [Events(server, f"token={token}") for token in tokens]
    try:
        for events in streams:
            assert events.next()[0] == "ready"
        call(client, "messages", {"text": "from the second"}, token=tokens[1])
        assert streams[1].next()[1]["text"] == "from the second"
        assert max(len(ids) for ids in asked) == 3  # all three streams in one query
    finally:
        for events in streams:
            events.close()


def test_another_installation_s_publications_never_reach_a_visitor(server, client):
    if not django_settings.REDIS_URL:
        pytest.skip("only Redis is shared between installations")
    import redis

    from regard.channels.chat.models import ChatSession

    data = start(client, name="Ana")
    session_id = ChatSession.objects.get().pk
    events = Events(server, f"token={data['token']}")
    try:
        assert events.next()[0] == "ready"
        foreign = {"event": "message", "data": {"id": 10**9, "text": "not yours"}, "id": 10**9}
        other = redis.Redis.from_url(django_settings.REDIS_URL)
        for name in [f"regard:chat:{session_id}", f"regard:chat:0:another:{session_id}"]:
            other.publish(name, json.dumps(foreign))
        call(client, "messages", {"text": "mine"}, token=data["token"])
        assert events.next()[1]["text"] == "mine"
    finally:
        events.close()
