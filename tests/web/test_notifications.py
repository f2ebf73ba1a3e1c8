"""Agents read their notifications in Regard, not only in the e-mail digest."""

from __future__ import annotations

import pytest
from django.utils import timezone

from regard.accounts.models import Notification
from regard.accounts.notifications import notify
from tests.factories import make_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent.user)
    return client


def test_only_paths_inside_regard_become_links(signed_in, agent):
    for n, url in enumerate(
        ["/conversations/4/", "javascript:alert(1)", "//evil.example/x", "/\\evil.example", "x"]
    ):
        notify(agent, "test", f"Note {n}", key=f"k{n}", url=url)
    page = signed_in.get("/notifications/").content.decode()
    assert '<a href="/conversations/4/">Note 0</a>' in page
    for n in range(1, 5):
        assert f"Note {n}</a>" not in page and f"Note {n}" in page
    assert "evil.example" not in page and "javascript:" not in page


def test_an_agent_sees_only_their_own_and_marks_them_read(signed_in, agent):
    other = make_agent("other")
    notify(agent, "survey_follow_up", "Maya answered 2: please call", key="a", url="/")
    notify(other, "survey_follow_up", "Someone else's", key="b")
    inbox = signed_in.get("/").content.decode()
    assert "Maya answered 2: please call" in inbox and "Someone else" not in inbox
    assert "Someone else" not in signed_in.get("/notifications/").content.decode()
    assert signed_in.post("/notifications/read").status_code == 302
    assert Notification.objects.get(recipient=agent).read_at is not None
    assert Notification.objects.get(recipient=other).read_at is None
    assert "Maya answered" not in signed_in.get("/").content.decode()
    assert signed_in.get("/notifications/read").status_code == 405


def test_the_inbox_reads_notifications_in_one_query(signed_in, agent, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (1, 12):
        for i in range(n):
            notify(agent, "t", f"n{n}-{i}", key=f"{n}-{i}", at=timezone.now())
        with CaptureQueriesContext(connection) as queries:
            signed_in.get("/")
        counts.append(len(queries))
    assert counts[0] == counts[1]
