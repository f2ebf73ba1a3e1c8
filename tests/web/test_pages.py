"""The first agent pages: who may see what, what they show, and how many queries they cost."""

import pytest
from django.urls import reverse

from regard.conversations import actions
from regard.conversations.choices import Direction
from regard.customers.actions import add_customer_note, update_customer_profile
from tests.factories import PASSWORD, make_agent, make_conversation, make_customer, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, agent):
    client.login(username=agent.user.username, password=PASSWORD)
    return client


@pytest.fixture
def orders_conversation(agent, team):
    customer = make_customer("zoe@example.com", "Zoë Ångström")
    update_customer_profile(
        agent.user, customer, preferred_name="Zoë", needs="Quick answers", pronunciation="ZOH-ee"
    )
    add_customer_note(agent.user, customer, "Runs a bakery; mornings are busy")
    conversation = make_conversation(
        customer, text="My order #123 still hasn't arrived.", team=team, assignee=agent
    )
    return conversation


def test_anonymous_visitors_are_sent_to_log_in(client, orders_conversation):
    for url in (reverse("web:inbox"), reverse("web:conversation", args=[orders_conversation.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_user_without_an_agent_profile_is_refused(client, django_user_model):
    django_user_model.objects.create_user("visitor", password=PASSWORD)
    client.login(username="visitor", password=PASSWORD)
    assert client.get(reverse("web:inbox")).status_code == 403


def test_wrong_password_shows_a_clear_message(client, agent):
    response = client.post(reverse("login"), {"username": "dana", "password": "nope"})
    assert "did not match" in response.content.decode()


def test_login_then_inbox_lists_my_conversations(client, agent, orders_conversation):
    response = client.post(
        reverse("login"), {"username": "dana", "password": PASSWORD}, follow=True
    )
    body = response.content.decode()
    assert "Where is my order?" in body and "Zoë Ångström" in body


def test_conversation_shows_messages_and_the_customer_card(signed_in, orders_conversation):
    body = signed_in.get(reverse("web:conversation", args=[orders_conversation.pk])).content
    body = body.decode()
    for expected in (
        "My order #123 still hasn&#x27;t arrived.",
        "ZOH-ee",
        "Quick answers",
        "Runs a bakery",
        "zoe@example.com",
        "Their person",
    ):
        assert expected in body


def test_an_agent_outside_the_team_gets_404_for_its_conversation(client, orders_conversation):
    make_agent("outsider", teams=[make_team("Billing")])
    client.login(username="outsider", password=PASSWORD)
    url = reverse("web:conversation", args=[orders_conversation.pk])
    assert client.get(url).status_code == 404
    reply_url = reverse("web:reply", args=[orders_conversation.pk])
    assert client.post(reply_url, {"text": "hi"}).status_code == 404
    assert not orders_conversation.messages.filter(direction=Direction.OUTBOUND).exists()


def test_a_supervisor_sees_every_team(client, supervisor, orders_conversation):
    client.login(username="sam", password=PASSWORD)
    assert client.get(reverse("web:conversation", args=[orders_conversation.pk])).status_code == 200


def test_replying_sends_and_records_it(signed_in, orders_conversation):
    url = reverse("web:reply", args=[orders_conversation.pk])
    response = signed_in.post(
        url, {"text": "Hi Zoë, I'll call the courier today.", "status": "pending"}
    )
    assert response.status_code == 302
    orders_conversation.refresh_from_db()
    assert orders_conversation.status == "pending"
    reply = orders_conversation.messages.get(direction=Direction.OUTBOUND)
    assert reply.author.username == "dana" and reply.delivery == "queued"


def test_an_empty_reply_explains_itself(signed_in, orders_conversation):
    url = reverse("web:reply", args=[orders_conversation.pk])
    response = signed_in.post(url, {"text": "  "}, follow=True)
    assert "a reply needs some text" in response.content.decode()


def test_a_light_agent_may_add_notes_but_not_reply(client, light_agent, orders_conversation):
    client.login(username="lee", password=PASSWORD)
    url = reverse("web:reply", args=[orders_conversation.pk])
    assert client.post(url, {"text": "Customer called", "kind": "note"}).status_code == 302
    assert client.post(url, {"text": "Hello", "kind": "reply"}).status_code == 403
    directions = set(orders_conversation.messages.values_list("direction", flat=True))
    assert directions == {Direction.INBOUND, Direction.NOTE}


def test_hostile_message_text_is_escaped(signed_in, agent, team):
    conversation = make_conversation(
        text="<script>alert(1)</script><img src=x onerror=alert(2)>", team=team, assignee=agent
    )
    body = signed_in.get(reverse("web:conversation", args=[conversation.pk])).content.decode()
    assert "<script>alert(1)" not in body and "<img src=x" not in body
    assert "&lt;script&gt;" in body


def test_pages_send_security_headers(signed_in):
    response = signed_in.get(reverse("web:inbox"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_inbox_query_count_does_not_grow_with_conversations(
    signed_in, agent, team, django_assert_max_num_queries
):
    for n in range(3):
        make_conversation(team=team, assignee=agent, subject=f"Case {n}")
    # A page is at most two ordered queries (those waiting, then the rest) and one for due times;
    # one more reads the agent's unread notifications.
    for view in ("mine", "waiting", "unassigned", "all"):
        with django_assert_max_num_queries(11):
            signed_in.get(reverse("web:inbox") + f"?view={view}")
    for n in range(20):
        make_conversation(team=team, assignee=agent, subject=f"More {n}")
    for view in ("mine", "waiting", "unassigned", "all"):
        with django_assert_max_num_queries(11):
            signed_in.get(reverse("web:inbox") + f"?view={view}")


def test_conversation_query_count_does_not_grow_with_messages(
    signed_in, agent, orders_conversation, django_assert_max_num_queries
):
    url = reverse("web:conversation", args=[orders_conversation.pk])
    with django_assert_max_num_queries(30) as few:
        signed_in.get(url)
    for n in range(15):
        actions.receive_message(orders_conversation, text_full=f"Another note {n}")
        actions.add_note(agent.user, orders_conversation, f"Internal {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        signed_in.get(url)
