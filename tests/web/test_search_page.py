"""The search page finds customers and messages the agent may see, and nothing else."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, make_agent, make_conversation, make_customer, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, agent):
    client.login(username=agent.user.username, password=PASSWORD)
    return client


def search(client, q):
    return client.get(reverse("web:search"), {"q": q}).content.decode()


@pytest.mark.parametrize(
    "q", ["", "   ", '"', "*", "OR NEAR(", "<script>alert(1)</script>", "x" * 5000]
)
def test_odd_queries_answer_calmly(signed_in, q):
    body = search(signed_in, q)
    assert "<script>alert(1)" not in body


def test_finds_a_customer_by_name_and_a_message_by_phrase(signed_in, agent, team):
    zoe = make_customer("zoe@example.com", "Zoë Ångström")
    make_conversation(
        zoe,
        team=team,
        assignee=agent,
        subject="Kettle",
        text="The lid of my copper kettle is cracked.",
    )
    body = search(signed_in, "Zoë")
    assert "Zoë" in body and "zoe@example.com" in body
    body = search(signed_in, '"copper kettle"')
    assert "Kettle" in body and "<mark>" in body


def test_another_teams_messages_and_customers_stay_hidden(signed_in, agent, team):
    other = make_team("Billing")
    secret = make_customer("secret@example.com", "Hidden Person")
    make_conversation(
        secret,
        team=other,
        subject="Private matter",
        text="Confidential invoice dispute about pelicans.",
    )
    body = search(signed_in, "pelicans")
    assert "Private matter" not in body
    assert "Hidden Person" not in search(signed_in, "Hidden")
    make_agent("billing", teams=[other])
    signed_in.logout()
    signed_in.login(username="billing", password=PASSWORD)
    assert "Private matter" in search(signed_in, "pelicans")
