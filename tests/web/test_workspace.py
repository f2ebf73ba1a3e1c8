"""Inbox views, the reply coach, snoozing and promises in the agent's pages."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from regard.commitments.models import Commitment
from regard.conversations import actions
from tests.factories import PASSWORD, make_agent, make_conversation, make_customer, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, agent):
    client.login(username=agent.user.username, password=PASSWORD)
    return client


def inbox(client, view):
    return client.get(reverse("web:inbox") + f"?view={view}").content.decode()


def test_an_unknown_view_falls_back_to_mine(signed_in, agent, team):
    make_conversation(subject="Mine for sure", team=team, assignee=agent)
    assert "Mine for sure" in inbox(signed_in, "<script>")


def test_upset_view_lists_upset_customers_only(signed_in, agent, team):
    make_conversation(
        subject="Angry one",
        team=team,
        assignee=agent,
        text="This is the third time I write. I will cancel my account!!!",
    )
    make_conversation(
        subject="Happy one",
        team=team,
        assignee=agent,
        text="Thank you so much, everything is perfect.",
    )
    body = inbox(signed_in, "upset")
    assert "Angry one" in body and "Happy one" not in body


def test_snoozed_conversations_leave_the_inbox_until_they_wake(signed_in, agent, team):
    conversation = make_conversation(subject="Later please", team=team, assignee=agent)
    until = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    signed_in.post(reverse("web:snooze", args=[conversation.pk]), {"until": until})
    assert "Later please" not in inbox(signed_in, "mine")
    assert "Later please" in inbox(signed_in, "snoozed")


def test_snoozing_into_the_past_is_refused_clearly(signed_in, agent, team):
    conversation = make_conversation(team=team, assignee=agent)
    response = signed_in.post(
        reverse("web:snooze", args=[conversation.pk]), {"until": "2001-01-01T10:00"}, follow=True
    )
    assert "Could not snooze: snooze until a time in the future" in response.content.decode()
    response = signed_in.post(
        reverse("web:snooze", args=[conversation.pk]), {"until": "soon"}, follow=True
    )
    assert "Could not snooze" in response.content.decode()


def test_promises_show_on_the_conversation_and_can_be_marked_kept(signed_in, agent, team):
    conversation = make_conversation(team=team, assignee=agent)
    actions.send_reply(agent.user, conversation, "Hi, I will call you within 2 hours.")
    url = reverse("web:conversation", args=[conversation.pk])
    assert "call you within 2 hours" in signed_in.get(url).content.decode()
    assert conversation.subject in inbox(signed_in, "promises")
    commitment = Commitment.objects.get()
    signed_in.post(
        reverse("web:keep_promise", args=[conversation.pk, commitment.pk]), {"how": "called"}
    )
    commitment.refresh_from_db()
    assert commitment.state == "kept"


def test_a_promise_of_another_conversation_cannot_be_kept_through_this_one(signed_in, agent, team):
    mine = make_conversation(team=team, assignee=agent)
    other_team = make_team("Billing")
    theirs = make_conversation(team=other_team)
    other_agent = make_agent("other", teams=[other_team])
    actions.send_reply(other_agent.user, theirs, "I will refund you by Friday.")
    commitment = Commitment.objects.get()
    url = reverse("web:keep_promise", args=[mine.pk, commitment.pk])
    assert signed_in.post(url).status_code == 404
    assert (
        signed_in.post(reverse("web:keep_promise", args=[theirs.pk, commitment.pk])).status_code
        == 404
    )


def test_the_coach_checks_a_draft_as_you_type(signed_in, agent, team):
    customer = make_customer("lan@example.com", "Nguyễn Thị Lan", preferred_name="Lan")
    conversation = make_conversation(
        customer, team=team, assignee=agent, text="My invoice is wrong, I was charged twice."
    )
    url = reverse("web:coach", args=[conversation.pk])
    weak = signed_in.post(url, {"text": "As per our policy it will be looked into."}).content
    weak = weak.decode()
    assert "Greets them by name" in weak and "Not defensive" in weak
    good = signed_in.post(
        url,
        {
            "text": (
                "Hi Lan, thank you for telling us about the double charge on your invoice. "
                "I will refund the second charge today and email you the receipt by 5pm."
            )
        },
    ).content.decode()
    assert "✓ Greets them by name" in good and "✓ Says when" in good


def test_the_coach_refuses_to_run_for_someone_who_cannot_see_the_conversation(client, team):
    conversation = make_conversation(team=team)
    make_agent("outsider", teams=[make_team("Else")])
    client.login(username="outsider", password=PASSWORD)
    assert (
        client.post(reverse("web:coach", args=[conversation.pk]), {"text": "hi"}).status_code == 404
    )


def test_the_promises_report_shows_follow_through_per_agent_and_team(signed_in, agent, team):
    from regard.commitments.actions import break_overdue_commitments, keep_commitment

    conversation = make_conversation(team=team, assignee=agent)
    actions.send_reply(
        agent.user,
        conversation,
        "I will call you within 2 hours. I'll email the label within 3 hours.",
    )
    first, _second = Commitment.objects.order_by("id")
    keep_commitment(agent.user, first)
    break_overdue_commitments(timezone.now() + dt.timedelta(days=1))
    body = signed_in.get(reverse("web:report_promises")).content.decode()
    assert "Follow-through: <strong>50%</strong>" in body
    assert "Dana" in body and "Orders" in body
    odd = signed_in.get(reverse("web:report_promises") + "?from=nonsense&to=2001-13-45")
    assert odd.status_code == 200


def test_reminders_and_broken_promises_reach_the_agent_in_the_inbox(signed_in, agent, team):
    from regard.system.clock import sweep

    conversation = make_conversation(subject="Call me back", team=team, assignee=agent)
    actions.send_reply(agent.user, conversation, "Hi, I will call you within 1 hour.")
    body = inbox(signed_in, "mine")
    assert "Needs your attention" not in body
    sweep(timezone.now() + dt.timedelta(minutes=5))
    assert "Promise due soon" in inbox(signed_in, "mine")
    sweep(timezone.now() + dt.timedelta(hours=2))
    body = inbox(signed_in, "mine")
    assert "Promise broken" in body and "Call me back" in body


def test_a_conversation_id_beyond_any_database_integer_is_not_found(signed_in, agent, team):
    mine = make_conversation(team=team, assignee=agent)
    assert signed_in.get(reverse("web:conversation", args=[mine.pk])).status_code == 200
    assert signed_in.get(f"/conversations/{2**64}/").status_code == 404
    assert signed_in.get(f"/conversations/{mine.pk + 10**6}/").status_code == 404
