"""Signing in with a magic link: bad input and bad links first, then the way it should work."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from regard.conversations.models import Event
from regard.customers.models import Identity
from regard.portal.access import SESSION_KEY
from regard.portal.models import PortalLink
from regard.portal.tokens import LINK_SALT
from tests.factories import PASSWORD
from tests.portal.conftest import ask_for_link, post_address, sign_in

pytestmark = pytest.mark.django_db
ANSWER = "If we know this address, a link is on its way (valid 30 minutes)"
HOME = "/portal/"


@pytest.mark.parametrize("data", [{}, {"email": ""}, {"email": "not an address"}, {"email": "a@"}])
def test_a_missing_or_malformed_address_is_refused_and_nothing_is_sent(client, alice, data):
    response = client.post(HOME, data)
    assert response.status_code == 400
    assert ANSWER not in response.content.decode()
    assert mail.outbox == [] and not PortalLink.objects.exists()


def test_an_oversized_address_is_refused(client, alice):
    response = post_address(client, "a" * 400 + "@example.com")
    assert response.status_code == 400 and mail.outbox == []


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, alice):
    unknown = post_address(client, "nobody@example.com")
    known = post_address(client, "alice@example.com")
    assert unknown.status_code == known.status_code == 200
    assert ANSWER in unknown.content.decode() and ANSWER in known.content.decode()
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    assert list(
        Event.objects.filter(kind__startswith="portal.").values_list("kind", "customer")
    ) == [("portal.link_requested", alice.pk)]


def test_a_bouncing_address_gets_no_link(client, alice):
    Identity.objects.filter(customer=alice).update(bouncing=True)
    response = post_address(client, "alice@example.com")
    assert ANSWER in response.content.decode()
    assert mail.outbox == []


def test_the_address_is_compared_as_identities_are(client, alice):
    ask_for_link(client, "  ALICE@Example.COM ")
    assert PortalLink.objects.get().customer == alice


def test_too_many_requests_for_one_address_are_refused_with_429(client, alice):
    statuses = [post_address(client, "alice@example.com").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert len(mail.outbox) == 3


def test_too_many_requests_from_one_ip_are_refused_with_429(client, alice):
    statuses = [client.post(HOME, {"email": f"x{i}@example.com"}).status_code for i in range(11)]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
    assert "Too many requests" in post_address(client, "y@example.com").content.decode()


def test_a_tampered_token_is_refused_with_400(client, alice):
    path = ask_for_link(client, "alice@example.com")
    token = path.rstrip("/").rsplit("/", 1)[1]
    broken = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for bad in (broken, "nonsense", token[:10], token + "x"):
        for method in (client.get, client.post):
            response = method(reverse("portal:landing", args=[bad]))
            assert response.status_code == 400, bad
            assert "This link does not work" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert PortalLink.objects.get().used_at is None


def test_a_token_rewritten_to_another_link_fails_its_signature(client, alice, bob):
    mine = ask_for_link(client, "alice@example.com").rstrip("/").rsplit("/", 1)[1]
    ask_for_link(client, "bob@example.com")
    bobs = PortalLink.objects.get(customer=bob)
    payload, rest = mine.split(":", 1)
    data = signing.b64_decode(payload.encode()).replace(
        str(PortalLink.objects.get(customer=alice).pk).encode(), str(bobs.pk).encode()
    )
    forged = signing.b64_encode(data).decode() + ":" + rest
    assert client.post(reverse("portal:landing", args=[forged])).status_code == 400
    assert SESSION_KEY not in client.session


def test_a_signed_token_with_the_wrong_nonce_signs_nobody_in(client, alice, bob):
    ask_for_link(client, "alice@example.com")
    ask_for_link(client, "bob@example.com")
    alices, bobs = PortalLink.objects.get(customer=alice), PortalLink.objects.get(customer=bob)
    mixed = signing.dumps({"l": bobs.pk, "n": alices.nonce}, salt=LINK_SALT)
    assert client.post(reverse("portal:landing", args=[mixed])).status_code == 400
    other_salt = signing.dumps({"l": alices.pk, "n": alices.nonce}, salt="regard.other")
    assert client.post(reverse("portal:landing", args=[other_salt])).status_code == 400
    assert SESSION_KEY not in client.session


def test_an_expired_link_is_refused_with_410_and_the_form(client, alice):
    path = ask_for_link(client, "alice@example.com")
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code == 410
            page = response.content.decode()
            assert "This link has expired — ask for a new one" in page
            assert 'name="email"' in page
    assert SESSION_KEY not in client.session


def test_a_link_still_works_just_before_it_expires(client, alice):
    path = ask_for_link(client, "alice@example.com")
    with time_machine.travel(timezone.now() + timedelta(minutes=29)):
        assert client.post(path).status_code == 302
    assert client.session[SESSION_KEY] == alice.pk


def test_opening_the_link_only_shows_a_button_so_mail_scanners_do_not_spend_it(client, alice):
    path = ask_for_link(client, "alice@example.com")
    for _ in range(3):  # a scanner, a preview, the customer
        response = client.get(path)
        assert response.status_code == 200
        assert "Sign in</button>" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert PortalLink.objects.get().used_at is None


def test_a_link_signs_in_once_and_a_second_use_is_refused_with_410(client, alice):
    path = ask_for_link(client, "alice@example.com")
    before = client.cookies.get("sessionid")
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == HOME
    assert client.session[SESSION_KEY] == alice.pk
    assert client.cookies["sessionid"].value != (before.value if before else None)
    assert Event.objects.filter(kind="portal.signed_in", customer=alice).count() == 1
    assert PortalLink.objects.get().used_at is not None
    for method in (client.get, client.post):
        again = method(path)
        assert again.status_code == 410
        assert "already been used" in again.content.decode()
    other = client.__class__()
    assert other.post(path).status_code == 410
    assert SESSION_KEY not in other.session


def test_a_link_for_alice_signs_in_alice_even_in_bobs_browser(client, alice, bob):
    alices = ask_for_link(client, "alice@example.com")
    sign_in(client, bob)
    assert client.session[SESSION_KEY] == bob.pk
    client.post(alices)
    assert client.session[SESSION_KEY] == alice.pk
    assert "Hello Ali" in client.get(HOME).content.decode()


def test_the_signed_in_overview_greets_by_preferred_name(alice_client):
    page = alice_client.get(HOME).content.decode()
    assert "Hello Ali" in page and "Sign out" in page and 'name="email"' not in page


def test_signing_out_ends_the_portal_session(alice_client, alice):
    response = alice_client.post(reverse("portal:sign_out"))
    assert response.status_code == 302
    assert SESSION_KEY not in alice_client.session
    assert 'name="email"' in alice_client.get(HOME).content.decode()
    assert alice_client.get(reverse("portal:preferences")).status_code == 302
    assert Event.objects.filter(kind="portal.signed_out", customer=alice).exists()


def test_signing_out_needs_a_post(alice_client):
    assert alice_client.get(reverse("portal:sign_out")).status_code == 405
    assert SESSION_KEY in alice_client.session


def test_an_agent_login_grants_no_portal_access(client, agent, alice_conversation):
    assert client.login(username="dana", password=PASSWORD)
    response = client.get(reverse("portal:conversation", args=[alice_conversation.pk]))
    assert response.status_code == 302 and response["Location"] == HOME
    assert 'name="email"' in client.get(HOME).content.decode()


def test_a_portal_sign_in_grants_no_agent_access(alice_client, alice_conversation):
    response = alice_client.get(f"/conversations/{alice_conversation.pk}/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert alice_client.get("/").status_code == 302


def test_signing_out_of_the_portal_leaves_an_agent_signed_in(client, agent, alice):
    assert client.login(username="dana", password=PASSWORD)
    sign_in(client, alice)
    client.post(reverse("portal:sign_out"))
    assert client.get("/").status_code == 200
