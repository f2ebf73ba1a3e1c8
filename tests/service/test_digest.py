"""Agents get one e-mail listing what they left unread for half an hour; never twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from regard.accounts.notifications import mark_read, notify
from regard.service.digest import queue_digests, send_digest
from regard.service.tasks import send_digest as send_digest_task
from tests.factories import make_agent
from tests.service.conftest import berlin

pytestmark = pytest.mark.django_db

NOW = berlin(2026, 3, 2, 12)


def test_an_agent_without_an_address_or_with_everything_read_gets_no_digest():
    silent = make_agent("nomail")
    notify(silent, "breach", "Late", key="a", at=NOW - timedelta(hours=1))
    reader = make_agent("reader", email="reader@example.com")
    notify(reader, "breach", "Late", key="a", at=NOW - timedelta(hours=1))
    mark_read(reader)
    assert queue_digests(NOW) == 0
    assert send_digest(silent, NOW) == 0 and send_digest(reader, NOW) == 0
    assert mail.outbox == []


def test_unread_notifications_go_out_once_in_one_mail_after_half_an_hour(settings):
    settings.BASE_URL = "https://help.example.com"
    dana = make_agent("dana", email="dana@example.com", display_name="Dana Reyes")
    notify(
        dana,
        "breach",
        "Zoë: first reply is late",
        key="1",
        url="/conversations/1/",
        at=NOW - timedelta(hours=2),
    )
    notify(
        dana,
        "breach_warning",
        "Ana: due soon",
        key="2",
        url="/conversations/2/",
        at=NOW - timedelta(minutes=40),
    )
    notify(dana, "breach_warning", "Too fresh", key="3", at=NOW - timedelta(minutes=5))
    assert queue_digests(NOW) == 1

    assert send_digest_task.call(dana.pk, NOW.isoformat()) == 2
    [digest] = mail.outbox
    assert digest.to == ["dana@example.com"]
    assert digest.subject == "2 unread notifications: Zoë: first reply is late"
    assert "https://help.example.com/conversations/1/" in digest.body
    assert "Too fresh" not in digest.body
    assert send_digest(dana, NOW) == 0  # already mailed
    assert queue_digests(NOW) == 0
    assert len(mail.outbox) == 1
