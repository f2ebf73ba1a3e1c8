"""Logging in: throttled after repeated wrong passwords, the session key rotates, and the
answer never tells whether a login exists."""

import re

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def throttling(settings):
    settings.AXES_ENABLED = True


def attempt(client, username, password, ip="203.0.113.7"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_five_wrong_passwords_lock_that_login_from_that_address(client, agent):
    name = agent.user.username
    for _ in range(4):
        assert attempt(client, name, "wrong").status_code == 200
    locked = attempt(client, name, "wrong")
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()
    assert attempt(client, name, PASSWORD).status_code == 429  # even the right one, for now
    assert attempt(client, name, PASSWORD, ip="198.51.100.9").status_code == 302  # elsewhere


def test_a_right_password_resets_the_count(client, agent):
    name = agent.user.username
    for _ in range(4):
        attempt(client, name, "wrong")
    assert attempt(client, name, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, name, "wrong").status_code == 200


def test_unknown_and_known_logins_get_the_same_answer(client, agent):
    unknown = attempt(client, "nobody-here", "wrong").content.decode()
    known = attempt(client, agent.user.username, "wrong").content.decode()
    assert "That login and password did not match" in unknown

    def same(page):
        page = page.replace("nobody-here", "").replace(agent.user.username, "")
        return re.sub(r"[A-Za-z0-9]{64}", "TOKEN", page)  # CSRF tokens differ per response

    assert same(unknown) == same(known)


def test_the_session_key_changes_at_login(client, agent):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    attempt(client, agent.user.username, PASSWORD)
    assert client.session.session_key != before
    assert client.get(reverse("web:inbox")).status_code == 200
