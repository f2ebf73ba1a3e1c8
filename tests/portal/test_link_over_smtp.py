"""The sign-in link really goes out over SMTP (a real aiosmtpd server on loopback), and the link
in the mail that arrived signs the customer in."""

from __future__ import annotations

import email
from datetime import timedelta
from email import policy

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from regard.portal.access import SESSION_KEY
from regard.portal.actions import request_link, use_link
from regard.portal.models import PortalLink
from regard.portal.tasks import send_link
from tests.portal.conftest import LINK, post_address

pytestmark = pytest.mark.django_db


def test_the_link_arrives_over_smtp_and_signs_the_customer_in(client, smtp, alice):
    response = post_address(client, "alice@example.com")
    assert response.status_code == 200
    [(recipients, raw)] = smtp.received
    assert recipients == ["alice@example.com"]
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["Auto-Submitted"] == "auto-generated"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Hello Ali," in body and "30 minutes" in body
    path = LINK.search(body).group(0).removeprefix("http://testserver")
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302
    assert client.session[SESSION_KEY] == alice.pk


def test_the_mail_task_sends_nothing_for_a_spent_or_expired_link(client, smtp, alice):
    with time_machine.travel(timezone.now() - timedelta(minutes=31)):
        expired = request_link("alice@example.com")
    spent = request_link("alice@example.com")
    use_link(spent.pk, spent.nonce)
    assert send_link.call(expired.pk) == "expired before it could be sent"
    assert send_link.call(spent.pk) == "not needed"
    assert send_link.call(999_999) == "not needed"
    assert smtp.received == []


def test_the_page_answers_before_the_mail_is_sent(client, smtp, alice):
    """Outside a test the task runs after commit, in a worker: never in the request."""
    response = client.post(reverse("portal:home"), {"email": "alice@example.com"})
    assert response.status_code == 200
    assert smtp.received == []
    assert PortalLink.objects.get().customer == alice
