"""Customers, their conversations and a signed-in portal client, built through actions."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from regard.conversations.models import Attachment
from regard.conversations.storage import store_blob
from regard.system import ratelimit
from tests.factories import make_conversation, make_customer

LINK = re.compile(r"https?://\S+/portal/in/[^/\s]+/")


@pytest.fixture(autouse=True)
def fresh_keys(monkeypatch):
    """Redis outlives a test: give each test its own rate-limit key space."""
    run = uuid.uuid4().hex
    allow = ratelimit.allow
    monkeypatch.setattr(ratelimit, "allow", lambda scope, key, **kw: allow(scope, run + key, **kw))


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    settings.BASE_URL = "http://testserver"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def post_address(client, address: str, **data):
    """Ask for a link; the mail task runs after commit, as it would in production."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("portal:home"), {"email": address, **data})


def link_from_mail(message) -> str:
    """The path of the sign-in link in a sent e-mail."""
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(0).removeprefix("http://testserver")


def ask_for_link(client, address: str) -> str:
    """Ask for a link as a customer would and return its path from the mail that went out."""
    before = len(mail.outbox)
    response = post_address(client, address)
    assert response.status_code == 200
    assert len(mail.outbox) == before + 1
    return link_from_mail(mail.outbox[-1])


def sign_in(client, customer) -> None:
    address = customer.identities.first().value
    path = ask_for_link(client, address)
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")


def attach(message, filename="invoice.pdf", data=b"%PDF-1.4 test", **flags) -> Attachment:
    return Attachment.objects.create(
        message=message,
        filename=filename,
        content_type="application/pdf",
        size=len(data),
        sha256=store_blob(data),
        **flags,
    )


@pytest.fixture
def alice(db):
    return make_customer("alice@example.com", "Alice Adams", preferred_name="Ali")


@pytest.fixture
def bob(db):
    return make_customer("bob@example.com", "Bob Brown")


@pytest.fixture
def alice_conversation(alice):
    return make_conversation(alice, subject="Broken kettle", text="My kettle leaks.")


@pytest.fixture
def bob_conversation(bob):
    return make_conversation(bob, subject="Bob's secret order", text="Bob's private words.")


@pytest.fixture
def alice_client(client, alice):
    sign_in(client, alice)
    return client
