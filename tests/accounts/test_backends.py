"""Each request's session and user are read by prepared queries: what Django's own backends
answer, for current, expired, unknown and inactive cases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from regard.accounts.backends import AgentBackend
from regard.accounts.sessions import SessionStore
from tests.factories import PASSWORD, make_agent

pytestmark = pytest.mark.django_db


def test_the_user_comes_with_their_agent_in_one_query():
    agent = make_agent("dana")
    with CaptureQueriesContext(connection) as queries:
        user = AgentBackend().get_user(str(agent.user.pk))
        assert user.agent.display_name == agent.display_name
    assert user == agent.user and len(queries) == 1


def test_unknown_inactive_and_malformed_users_are_nobody():
    agent = make_agent("dana")
    backend = AgentBackend()
    assert backend.get_user(agent.user.pk + 1000) is None
    assert backend.get_user("not a number") is None
    assert backend.get_user(2**70) is None
    agent.user.is_active = False
    agent.user.save()
    assert backend.get_user(agent.user.pk) is None


def test_a_user_without_an_agent_profile_has_none():
    from django.contrib.auth.models import User

    user = User.objects.create_user("customer-side", password="x-Long-enough-42")
    found = AgentBackend().get_user(user.pk)
    assert found == user and getattr(found, "agent", None) is None


def test_a_current_session_loads_and_an_expired_or_unknown_one_does_not():
    store = SessionStore()
    store["answer"] = 42
    store.create()
    assert SessionStore(store.session_key).load() == {"answer": 42}
    Session.objects.filter(pk=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    expired = SessionStore(store.session_key)
    assert expired.load() == {} and expired.session_key is None
    assert SessionStore("x" * 32).load() == {}
    assert SessionStore("' OR 1=1 --" + "x" * 30).load() == {}


def test_signing_in_and_out_over_the_client(client):
    make_agent("dana")
    assert client.login(username="dana", password=PASSWORD)
    assert client.get("/").status_code == 200
    client.logout()
    assert client.get("/").status_code == 302
