"""The API over real HTTP (the live server on loopback, the `requests` client an integrator
would use): a token's round trip, the strict JSON errors and the per-token rate limit."""

from __future__ import annotations

import time

import pytest
import requests

from regard.api.auth import WINDOW
from regard.api.tokens import issue_token
from regard.conversations.models import Conversation, Message

pytestmark = pytest.mark.django_db(transaction=True)


def start_of_a_window(margin: float = 15.0) -> None:
    """Wait for the next rate window when this one ends within `margin` seconds: the limit counts
    per fixed window, so requests straddling its end would count in two."""
    left = WINDOW - time.time() % WINDOW
    if left < margin:
        time.sleep(left + 0.05)


def test_an_integration_over_http(live_server, settings, agent):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.API_REQUESTS_PER_MINUTE = 4
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {issue_token(None, agent, 'shop').secret}"
    base = f"{live_server.url}/api/v1"
    start_of_a_window()

    assert api.get(f"{base}/me", timeout=10).json()["name"] == agent.display_name
    created = api.post(
        f"{base}/conversations",
        json={"email": "lee@example.com", "name": "Lee", "text": "Where is order 7?"},
        timeout=10,
    )
    assert created.status_code == 201 and created.headers["Content-Type"].startswith(
        "application/json"
    )
    conversation = Conversation.objects.get(pk=created.json()["id"])
    conversation.team = agent.teams.first()
    conversation.save()

    wrong = api.post(
        f"{base}/conversations/{conversation.pk}/notes",
        data="{not json",
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert wrong.status_code == 400 and "detail" in wrong.json()
    sneaky = api.post(
        f"{base}/conversations/{conversation.pk}/notes",
        json={"text": "ok", "author": 1},
        timeout=10,
    )
    assert sneaky.status_code == 422 and "author" in sneaky.text
    assert not Message.objects.filter(conversation=conversation, direction="note").exists()

    limited = api.get(f"{base}/me", timeout=10)  # the fifth request this minute
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60

    anonymous = requests.get(f"{base}/conversations", timeout=10)
    assert anonymous.status_code == 401
    assert requests.get(f"{base}/health", timeout=10).json()["status"] == "ok"
