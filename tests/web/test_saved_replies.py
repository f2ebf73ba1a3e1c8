"""Saved replies: filled for the customer, kept per team, inserted into the composer."""

import pytest
from django.urls import reverse

from regard.accounts.choices import Role
from regard.conversations.models import SavedReply
from regard.conversations.saved_replies import fill, save_saved_reply, values_for
from tests.factories import PASSWORD, make_agent, make_conversation, make_customer, make_team

pytestmark = pytest.mark.django_db


def test_placeholders_cannot_reach_into_objects_and_unknown_ones_stay():
    values = {"name": "Zoë"}
    assert fill("Hi {name}, {0.__class__} {name.upper} {nope}", values) == (
        "Hi Zoë, {0.__class__} {name.upper} {nope}"
    )


def test_saving_refuses_empty_text_unknown_placeholders_and_other_teams(agent, team):
    with pytest.raises(ValueError, match="title and some text"):
        save_saved_reply(agent.user, title=" ", text="Hi", team=team)
    with pytest.raises(ValueError, match=r"unknown placeholder \{frist_name\}"):
        save_saved_reply(agent.user, title="Typo", text="Hi {frist_name}", team=team)
    with pytest.raises(ValueError, match="only for your own teams"):
        save_saved_reply(agent.user, title="Other", text="Hi", team=make_team("Billing"))
    with pytest.raises(ValueError, match="every team"):
        save_saved_reply(agent.user, title="All", text="Hi", team=None)
    assert not SavedReply.objects.exists()


def test_values_use_the_preferred_name_the_agent_and_the_ticket(agent, team):
    customer = make_customer("ines@example.com", "Inês Moreau", preferred_name="Inês")
    conversation = make_conversation(customer=customer, team=team, subject="Lamp")
    values = values_for(conversation, agent)
    assert values["name"] == "Inês" and values["full_name"] == "Inês Moreau"
    assert values["ticket"] == f"#{conversation.pk}" and values["subject"] == "Lamp"


def test_inserting_a_saved_reply_appends_it_filled_after_the_draft(client, agent, team):
    customer = make_customer("ines@example.com", "Inês Moreau", preferred_name="Inês")
    conversation = make_conversation(customer=customer, team=team, assignee=agent)
    saved = save_saved_reply(
        agent.user,
        title="Refund",
        text="Hi {name}, your refund for {ticket} is on its way.",
        team=team,
    )
    client.login(username=agent.user.username, password=PASSWORD)
    page = client.get(reverse("web:conversation", args=[conversation.pk])).content.decode()
    assert f'<option value="{saved.pk}">Refund</option>' in page
    response = client.post(
        reverse("web:saved_reply_insert", args=[conversation.pk]),
        {"saved": saved.pk, "text": "Thanks <b>a lot</b>"},
    )
    body = response.content.decode()
    assert "Thanks &lt;b&gt;a lot&lt;/b&gt;\n\nHi Inês, your refund for" in body
    assert f"#{conversation.pk} is on its way." in body


def test_another_teams_saved_reply_cannot_be_inserted(client, agent, team):
    conversation = make_conversation(team=team, assignee=agent)
    theirs = SavedReply.objects.create(title="Billing only", text="x", team=make_team("Billing"))
    client.login(username=agent.user.username, password=PASSWORD)
    url = reverse("web:saved_reply_insert", args=[conversation.pk])
    assert client.post(url, {"saved": theirs.pk}).status_code == 404
    assert client.post(url, {"saved": "x"}).status_code == 404


def test_the_page_creates_edits_and_deletes(client, agent, team):
    client.login(username=agent.user.username, password=PASSWORD)
    url = reverse("web:saved_replies")
    client.post(url, {"title": "Hello", "text": "Hi {name}!", "team": team.pk})
    saved = SavedReply.objects.get()
    assert saved.created_by == agent and saved.team == team
    client.post(url, {"id": saved.pk, "title": "Hello again", "text": "Hi {name}", "team": team.pk})
    saved.refresh_from_db()
    assert saved.title == "Hello again"
    response = client.post(url, {"title": "Bad", "text": "{oops}", "team": team.pk}, follow=True)
    assert "unknown placeholder" in response.content.decode()
    client.post(reverse("web:saved_reply_delete", args=[saved.pk]))
    assert not SavedReply.objects.exists()


def test_a_supervisor_keeps_replies_for_every_team(client):
    boss = make_agent("boss", role=Role.SUPERVISOR)
    saved = save_saved_reply(boss.user, title="All", text="Hi {name}", team=None)
    assert saved.team is None
