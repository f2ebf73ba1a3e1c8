"""Strict isolation: a customer never sees another customer's conversation, message, attachment,
promise or incident update; other people's ids are a 404, as if they did not exist."""

from __future__ import annotations

import pytest
from django.urls import reverse

from regard.conversations.actions import add_note, send_reply
from regard.customers.actions import merge_customers
from regard.customers.models import Organization
from regard.portal.access import visible_conversations
from tests.factories import make_conversation, make_customer
from tests.portal.conftest import attach, sign_in

pytestmark = pytest.mark.django_db
HOME = "/portal/"


def object_urls(conversation, attachment) -> list[str]:
    """Every portal URL that takes an object id."""
    return [
        reverse("portal:conversation", args=[conversation.pk]),
        reverse("portal:attachment", args=[attachment.pk]),
    ]


@pytest.fixture
def bobs_things(bob_conversation):
    message = bob_conversation.messages.get()
    return bob_conversation, attach(message, "bob-contract.pdf", b"%PDF bob's contract")


def test_every_object_url_is_classified_here():
    from regard.portal.urls import urlpatterns

    with_ids = {p.name for p in urlpatterns if "<int:" in str(p.pattern)}
    assert with_ids == {"conversation", "attachment"}  # add new ones to object_urls


def test_signed_out_every_page_sends_to_sign_in(client, bobs_things):
    urls = [*object_urls(*bobs_things), reverse("portal:preferences")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == HOME, url
    response = client.post(urls[0], {"text": "let me in"})
    assert response.status_code == 302
    assert bobs_things[0].messages.count() == 1


def test_another_customers_ids_are_404_on_every_url(client, alice, alice_conversation, bobs_things):
    sign_in(client, alice)
    for url in object_urls(*bobs_things):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Bob" not in response.content.decode()


def test_replying_into_another_customers_conversation_is_404_and_writes_nothing(
    client, alice, bobs_things
):
    sign_in(client, alice)
    conversation = bobs_things[0]
    response = client.post(reverse("portal:conversation", args=[conversation.pk]), {"text": "hi"})
    assert response.status_code == 404
    assert conversation.messages.count() == 1


def test_ids_that_do_not_exist_are_404_like_other_peoples(alice_client):
    for url in ("/portal/conversations/999999/", "/portal/attachments/999999/"):
        assert alice_client.get(url).status_code == 404


def test_the_overview_lists_nothing_of_another_customer(client, alice, agent, bob_conversation):
    send_reply(agent.user, bob_conversation, "I'll call you back by Friday 3pm.")
    sign_in(client, alice)
    page = client.get(HOME).content.decode()
    assert "Bob" not in page and "call you back" not in page
    assert "No open promises" in page


def test_internal_notes_are_never_shown(client, agent, alice, alice_conversation):
    add_note(agent.user, alice_conversation, "Internal: this customer is difficult")
    send_reply(agent.user, alice_conversation, "We are sending a new kettle.")
    sign_in(client, alice)
    page = client.get(reverse("portal:conversation", args=[alice_conversation.pk]))
    text = page.content.decode()
    assert "We are sending a new kettle." in text and "My kettle leaks." in text
    assert "difficult" not in text


def test_a_notes_attachment_is_404(client, agent, alice, alice_conversation):
    note = add_note(agent.user, alice_conversation, "Internal scan attached")
    item = attach(note, "internal.pdf", b"%PDF internal")
    sign_in(client, alice)
    assert client.get(reverse("portal:attachment", args=[item.pk])).status_code == 404
    page = client.get(reverse("portal:conversation", args=[alice_conversation.pk]))
    assert "internal.pdf" not in page.content.decode()


def test_a_blocked_attachment_is_404_even_in_their_own_conversation(
    client, alice, alice_conversation
):
    item = attach(alice_conversation.messages.get(), "run.exe", b"MZ", blocked=True)
    sign_in(client, alice)
    assert client.get(reverse("portal:attachment", args=[item.pk])).status_code == 404


def test_their_own_attachment_downloads_as_a_file(client, alice, alice_conversation):
    item = attach(alice_conversation.messages.get(), "invoice.pdf", b"%PDF mine")
    sign_in(client, alice)
    page = client.get(reverse("portal:conversation", args=[alice_conversation.pk]))
    assert reverse("portal:attachment", args=[item.pk]) in page.content.decode()
    response = client.get(reverse("portal:attachment", args=[item.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF mine"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"


def test_a_colleagues_conversation_is_404_unless_the_organization_shares(client, alice):
    acme = Organization.objects.create(name="Acme")
    carol = make_customer("carol@acme.example", "Carol", organization=acme)
    alice.organization = acme
    alice.save()
    theirs = make_conversation(carol, subject="Acme invoice question")
    url = reverse("portal:conversation", args=[theirs.pk])
    sign_in(client, alice)
    assert client.get(url).status_code == 404
    assert "Acme invoice question" not in client.get(HOME).content.decode()

    acme.portal_shared = True
    acme.save()
    assert client.get(url).status_code == 200
    page = client.get(HOME).content.decode()
    assert "Acme invoice question" in page and "from a colleague" in page


def test_sharing_does_not_reach_other_organizations(client, alice):
    acme = Organization.objects.create(name="Acme", portal_shared=True)
    other = Organization.objects.create(name="Other", portal_shared=True)
    alice.organization = acme
    alice.save()
    stranger = make_customer("dan@other.example", "Dan", organization=other)
    loner = make_customer("eve@example.com", "Eve")
    sign_in(client, alice)
    for customer in (stranger, loner):
        conversation = make_conversation(customer, subject="Not for Alice")
        assert client.get(reverse("portal:conversation", args=[conversation.pk])).status_code == 404
    assert set(visible_conversations(alice)) == set()


def test_a_merged_away_customer_sees_the_survivors_record(client, agent, alice, bob):
    conversation = make_conversation(bob, subject="Bob's matter")
    sign_in(client, bob)
    merge_customers(agent.user, bob, alice)
    assert client.get(reverse("portal:conversation", args=[conversation.pk])).status_code == 200
    assert "Hello Ali" in client.get(HOME).content.decode()


def test_a_session_naming_no_customer_is_signed_out(client, alice):
    session = client.session
    session["regard_portal_customer"] = "1 OR 1=1"
    session.save()
    assert client.get(reverse("portal:preferences")).status_code == 302
