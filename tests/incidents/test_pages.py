"""The incident pages as an agent uses them, through HTTP: the list, the detail, linking,
composing with the coach and the recipient count, the report, and the conversation banner."""

from __future__ import annotations

import pytest
from django.urls import reverse

from regard.incidents import actions, broadcast
from regard.incidents.models import IncidentUpdate, LinkSuggestion
from tests.factories import PASSWORD, make_conversation, make_customer
from tests.incidents.factories import declare

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_delivery(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def lead(client, supervisor):
    client.login(username="sam", password=PASSWORD)
    return supervisor


def test_an_empty_update_is_refused_on_the_page(client, lead):
    incident = declare(lead)
    response = client.post(reverse("incidents:compose", args=[incident.pk]), {"text": " "})
    assert response.status_code == 400 and b"This field is required" in response.content


def test_review_shows_the_coach_and_the_recipient_count_then_sends(client, lead):
    incident = declare(lead)
    conversation = make_conversation(make_customer("gu@example.com", "Günter Müller"))
    actions.link_customer(lead.user, incident, conversation=conversation, note="refund on hold")
    url = reverse("incidents:compose", args=[incident.pk])
    data = {"text": "The issue has been escalated.", "status": "identified"}
    review = client.post(url, data)
    page = review.content.decode()
    assert "Send this update?" in page and "Send to 1 customer" in page
    assert "hides who acts" in page  # the coach's advice on the update text
    assert "Hi Günter," in page and "What this means for you: refund on hold" in page
    sent = client.post(url, {**data, "confirmed_recipients": "1"})
    assert sent.status_code == 302
    assert IncidentUpdate.objects.get().recipients == 1


def test_a_stale_recipient_count_asks_again(client, lead):
    incident = declare(lead)
    actions.link_customer(lead.user, incident, customer=make_customer())
    url = reverse("incidents:compose", args=[incident.pk])
    data = {"text": "I am on it.", "status": "identified", "confirmed_recipients": "3"}
    response = client.post(url, data)
    assert response.status_code == 400 and b"confirm again" in response.content
    assert not IncidentUpdate.objects.exists()


def test_the_pages_render_with_links_suggestions_updates_and_a_report(client, lead, agent):
    incident = declare(lead)
    conversation = make_conversation(make_customer("hana@example.com", "Hana Tanaka"))
    client.post(reverse("incidents:link", args=[incident.pk]), {"what": "hana@example.com"})
    link = incident.affected.get()
    assert link.conversation == conversation
    other = make_conversation(
        subject="Payment declined", text="My card payment is declined at checkout again."
    )
    assert LinkSuggestion.objects.filter(conversation=other).exists()
    broadcast.queue_update(lead.user, incident, "I am fixing the checkout now.")
    detail = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert "Hana Tanaka" in detail and "1 recipients: 0 sent, 1 waiting, 0 failed" in detail
    assert "shares the words" in detail and "“declined”" in detail
    report = client.get(reverse("incidents:report", args=[incident.pk])).content.decode()
    assert "Time to first update" in report and "1 queued" in report
    assert client.get(reverse("incidents:list")).status_code == 200
    page = client.get(reverse("web:conversation", args=[conversation.pk])).content.decode()
    assert "Part of an incident" in page and incident.title in page


def test_a_plain_agent_sees_the_incident_but_cannot_write_an_update(client, lead, agent):
    incident = declare(lead)
    client.login(username="dana", password=PASSWORD)
    assert client.get(reverse("incidents:detail", args=[incident.pk])).status_code == 200
    assert client.get(reverse("incidents:compose", args=[incident.pk])).status_code == 403
