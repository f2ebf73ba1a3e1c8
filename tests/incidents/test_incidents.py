"""Incidents: bad input first, then declaring, linking, suggesting, broadcasting and resolving."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from regard.accounts.models import Notification
from regard.conversations import actions as conversation_actions
from regard.conversations.models import Event, Message
from regard.customers.actions import merge_customers
from regard.customers.models import Organization
from regard.incidents import actions, broadcast
from regard.incidents.alerts import alert_overdue_updates
from regard.incidents.choices import DeliveryState, IncidentStatus, LinkedBy
from regard.incidents.models import AffectedCustomer, LinkSuggestion, UpdateDelivery
from regard.incidents.tasks import deliver_update_batch
from tests.factories import make_agent, make_conversation, make_customer
from tests.incidents.factories import declare

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.COMPANY_NAME = "Acme"


def send_all(update):
    """Run every batch of an update as a worker would (again: it must be harmless)."""
    ids = list(update.deliveries.order_by("pk").values_list("pk", flat=True))
    if ids:
        deliver_update_batch.call(update.pk, ids[0], ids[-1])


# --- bad input -------------------------------------------------------------------------------


def test_an_update_without_text_is_refused(supervisor, agent):
    incident = declare(supervisor)
    with pytest.raises(ValueError, match="needs some text"):
        broadcast.queue_update(supervisor.user, incident, "   ")


def test_a_plain_agent_may_not_broadcast(supervisor, agent):
    incident = declare(supervisor)
    with pytest.raises(PermissionDenied):
        broadcast.queue_update(agent.user, incident, "We are fixing it.")


def test_an_unknown_status_is_refused(supervisor):
    incident = declare(supervisor)
    with pytest.raises(ValueError, match="unknown status"):
        actions.change_incident_status(supervisor.user, incident, "panicking")
    with pytest.raises(ValueError, match="unknown status"):
        declare(supervisor, status="panicking")
    with pytest.raises(ValueError, match="unknown status"):
        broadcast.queue_update(supervisor.user, incident, "We are on it.", status="done-ish")


def test_a_next_update_time_in_the_past_is_refused(supervisor):
    incident = declare(supervisor)
    with pytest.raises(ValueError, match="future"):
        broadcast.queue_update(
            supervisor.user, incident, "Fixing.", next_update_due_at=timezone.now() - timedelta(1)
        )


def test_linking_a_merged_customer_links_the_one_it_became(supervisor):
    survivor = make_customer("ana@example.com", "Ana Silva")
    twin = make_customer("ana.silva@work.example", "Ana S.")
    merge_customers(supervisor.user, twin, survivor)
    twin.refresh_from_db()
    incident = declare(supervisor)
    link = actions.link_customer(supervisor.user, incident, customer=twin)
    assert link.customer == survivor


def test_a_confirmation_for_another_number_of_recipients_sends_nothing(supervisor):
    incident = declare(supervisor)
    actions.link_customer(supervisor.user, incident, customer=make_customer())
    with pytest.raises(ValueError, match="recipients changed: 1 now, not 5"):
        broadcast.queue_update(
            supervisor.user, incident, "We are fixing it.", expected_recipients=5
        )
    assert not UpdateDelivery.objects.exists()


# --- happy paths -----------------------------------------------------------------------------


def test_each_customer_hears_from_their_concierge_in_their_own_conversation(supervisor, agent):
    incident = declare(supervisor)
    conversation = make_conversation(make_customer("bo@example.com", "Bo Larsen"))
    link = actions.link_customer(
        supervisor.user, incident, conversation=conversation, note="your order 123 waits for it"
    )
    actions.assign_concierge(supervisor.user, incident, agent, link=link)
    newcomer = make_customer("cy@example.com", "Cy Okafor")
    actions.link_customer(supervisor.user, incident, customer=newcomer)
    due = timezone.now() + timedelta(hours=2)
    update = broadcast.queue_update(
        supervisor.user,
        incident,
        "We found the cause and I am rolling out the fix now.",
        status=IncidentStatus.IDENTIFIED,
        next_update_due_at=due,
        expected_recipients=2,
    )
    send_all(update)
    assert sorted(m.to[0] for m in mail.outbox) == ["bo@example.com", "cy@example.com"]
    bo = next(m for m in mail.outbox if m.to == ["bo@example.com"])
    assert bo.from_email.startswith("Dana from Acme <")
    assert bo.body.startswith("Hi Bo,")
    assert "What this means for you: your order 123 waits for it" in bo.body
    assert "I'll write to you again by" in bo.body and "Dana Reyes" in bo.body
    assert (
        bo.extra_headers["Message-ID"]
        == f"<{broadcast.mail_id(update.pk, conversation.customer_id)}>"
    )
    conversation.refresh_from_db()
    assert conversation.assignee == agent  # their replies come back to Dana
    message = Message.objects.get(conversation=conversation, direction="outbound")
    assert message.author == agent.user and message.delivery == "sent"
    cy_link = AffectedCustomer.objects.get(customer=newcomer)
    assert cy_link.conversation is not None and cy_link.conversation.assignee == supervisor
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.IDENTIFIED and incident.next_update_due_at == due
    assert set(update.deliveries.values_list("state", flat=True)) == {DeliveryState.SENT}


def test_a_reply_to_an_update_lands_in_their_conversation_with_the_concierge(supervisor, agent):
    incident = declare(supervisor)
    customer = make_customer("di@example.com", "Di Nguyen")
    link = actions.link_customer(supervisor.user, incident, customer=customer)
    actions.assign_concierge(supervisor.user, incident, agent, link=link)
    send_all(broadcast.queue_update(supervisor.user, incident, "I am fixing it now."))
    link.refresh_from_db()
    conversation_actions.receive_message(
        link.conversation,
        text_full="Thanks Dana, keep me posted.",
        sender=customer.identities.get(),
    )
    link.conversation.refresh_from_db()
    assert link.conversation.assignee == agent
    assert link.conversation.messages.filter(direction="inbound").count() == 1


def test_an_organization_and_a_search_link_their_customers(supervisor):
    acme = Organization.objects.create(name="Globex")
    people = [make_customer(organization=acme) for _ in range(3)]
    incident = declare(supervisor)
    assert actions.link_organization(supervisor.user, incident, acme) == 3
    assert actions.link_organization(supervisor.user, incident, acme) == 0
    assert set(incident.affected.values_list("customer_id", flat=True)) == {p.pk for p in people}
    assert set(incident.affected.values_list("linked_by", flat=True)) == {LinkedBy.ORGANIZATION}
    assert Event.objects.filter(kind="incident.linked", customer=people[0]).exists()


def test_an_organization_concierge_speaks_to_its_people(supervisor, agent):
    org = Organization.objects.create(name="Initech")
    customer = make_customer("el@example.com", "El Haddad", organization=org)
    incident = declare(supervisor)
    actions.link_organization(supervisor.user, incident, org)
    actions.assign_concierge(supervisor.user, incident, agent, organization=org)
    send_all(broadcast.queue_update(supervisor.user, incident, "I am fixing it now."))
    assert mail.outbox[0].from_email.startswith("Dana from Acme")
    assert Message.objects.get(direction="outbound", conversation__customer=customer).author == (
        agent.user
    )


def test_resolving_sends_a_closing_update_solves_conversations_and_drafts_thanks(supervisor):
    incident = declare(supervisor)
    conversation = make_conversation(make_customer("fa@example.com", "Farah Moreau"))
    conversation_actions.receive_message(
        conversation, text_full="Still broken!", sender=conversation.customer.identities.get()
    )
    actions.link_customer(supervisor.user, incident, conversation=conversation)
    update = broadcast.resolve_incident(
        supervisor.user, incident, "I fixed it: payments work again.", solve_conversations=True
    )
    send_all(update)
    incident.refresh_from_db()
    conversation.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED and incident.ended_at is not None
    assert update.closing and "last update" in mail.outbox[0].body
    assert conversation.status == "solved"
    assert "thank you for your patience" in incident.affected.get().thank_you_draft
    with pytest.raises(ValueError, match="resolved"):
        broadcast.queue_update(supervisor.user, incident, "One more thing.")


# --- nobody twice, nobody who said no --------------------------------------------------------


def test_running_the_send_twice_delivers_once_each(supervisor):
    incident = declare(supervisor)
    for _ in range(3):
        actions.link_customer(supervisor.user, incident, customer=make_customer())
    update = broadcast.queue_update(supervisor.user, incident, "I am fixing it now.")
    send_all(update)
    send_all(update)
    assert len(mail.outbox) == 3
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 3
    assert Message.objects.filter(direction="outbound").count() == 3


def test_muted_and_bouncing_customers_get_none(supervisor):
    incident = declare(supervisor)
    reachable = make_customer("ok@example.com")
    bouncing = make_customer("gone@example.com")
    bouncing.identities.update(bouncing=True)
    muted = make_customer("quiet@example.com", no_marketing=True)
    marketing_off = make_customer("service@example.com", no_marketing=True)
    for customer in (reachable, bouncing, muted, marketing_off):
        actions.link_customer(supervisor.user, incident, customer=customer)
    actions.set_muted(supervisor.user, incident.affected.get(customer=muted))
    assert broadcast.audience(incident) == {
        "linked": 4,
        "muted": 1,
        "recipients": 2,
        "unreachable": 1,
    }
    send_all(broadcast.queue_update(supervisor.user, incident, "I am fixing it now."))
    assert sorted(m.to[0] for m in mail.outbox) == ["ok@example.com", "service@example.com"]


def test_a_failing_send_is_retried_then_kept_as_failed(supervisor, settings, monkeypatch):
    settings.TASK_ATTEMPTS = 1  # the batch's own try, then one retry task that gives up
    incident = declare(supervisor)
    actions.link_customer(supervisor.user, incident, customer=make_customer())
    update = broadcast.queue_update(supervisor.user, incident, "I am fixing it now.")

    def refuse(self, messages):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    send_all(update)  # the immediate backend runs the retry at once, then gives up
    delivery = update.deliveries.get()
    assert delivery.state == DeliveryState.FAILED and "smtp down" in delivery.error
    assert delivery.attempts == 2
    assert Event.objects.filter(kind="incident.update_failed").count() == 1


# --- suggestions -----------------------------------------------------------------------------


def test_a_similar_inbound_message_is_suggested_with_the_words_it_shares(supervisor):
    incident = declare(supervisor)
    make_conversation(text="Where is my parcel? It is late.", subject="Late parcel")
    conversation = make_conversation(
        subject="Checkout problem",
        text="My card payment keeps getting declined at checkout since this morning.",
    )
    suggestion = LinkSuggestion.objects.get(incident=incident)
    assert suggestion.conversation == conversation
    assert {"checkout", "declined", "payment"} <= set(suggestion.words)
    assert Event.objects.filter(kind="incident.suggested", conversation=conversation).exists()
    link = actions.confirm_suggestion(supervisor.user, suggestion)
    assert link.linked_by == LinkedBy.SUGGESTION and link.conversation == conversation


def test_unrelated_mail_and_mail_with_no_open_incident_suggest_nothing(supervisor):
    make_conversation(text="My card payment was declined at checkout.", subject="Checkout")
    incident = declare(supervisor)
    make_conversation(text="Could you change my delivery address please?", subject="Address")
    assert not LinkSuggestion.objects.filter(incident=incident).exists()


def test_no_incident_open_costs_one_query(django_assert_max_num_queries, supervisor):
    from regard.incidents.suggestions import consider_message

    conversation = make_conversation(text="My card payment was declined at checkout.")
    message = conversation.messages.get()
    with django_assert_max_num_queries(1):
        assert consider_message(message) == []


# --- the promised next update ----------------------------------------------------------------


def test_an_overdue_update_alerts_the_owner_once(supervisor):
    due = timezone.now() + timedelta(minutes=30)
    incident = declare(supervisor, next_update_due_at=due)
    assert alert_overdue_updates(due - timedelta(minutes=1)) == 0
    assert alert_overdue_updates(due + timedelta(minutes=1)) == 1
    assert alert_overdue_updates(due + timedelta(minutes=5)) == 0
    note = Notification.objects.get(recipient=supervisor)
    assert incident.title in note.text and note.url.endswith(f"/incidents/{incident.pk}/update")
    assert Event.objects.filter(kind="incident.update_overdue").count() == 1


# --- who may do what -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "may"),
    [("admin", True), ("supervisor", True), ("owner", True), ("agent", False), ("light", False)],
)
def test_who_may_broadcast(who, may, supervisor, admin_agent, agent, light_agent):
    owner = make_agent("owner", display_name="Olu Owner")
    incident = declare(supervisor, owner=owner)
    actor = {
        "admin": admin_agent,
        "supervisor": supervisor,
        "owner": owner,
        "agent": agent,
        "light": light_agent,
    }[who].user
    if may:
        assert broadcast.queue_update(actor, incident, "I am fixing it now.").pk
    else:
        with pytest.raises(PermissionDenied):
            broadcast.queue_update(actor, incident, "I am fixing it now.")


def test_a_light_agent_may_not_declare_or_link(light_agent, supervisor):
    with pytest.raises(PermissionDenied):
        declare(light_agent)
    incident = declare(supervisor)
    with pytest.raises(PermissionDenied):
        actions.link_customer(light_agent.user, incident, customer=make_customer())


def test_a_chat_customer_reads_the_update_in_their_chat(client, supervisor, settings):
    from regard.conversations.models import Conversation
    from tests.channels.chat.helpers import call, start

    settings.EMBED_ORIGINS = ["https://shop.example"]
    visitor = start(client, name="Ana")
    sent = call(client, "messages", {"text": "My card is declined"}, token=visitor["token"])
    assert sent.status_code == 201
    chat = Conversation.objects.get(channel="chat")
    incident = declare(supervisor)
    actions.link_customer(supervisor.user, incident, conversation=chat)
    update = broadcast.queue_update(
        supervisor.user,
        incident,
        "We found the cause and I am rolling out the fix now.",
        next_update_due_at=timezone.now() + timedelta(hours=2),
        expected_recipients=1,
    )
    send_all(update)
    # An anonymous visitor has no address: the chat is their channel, and that is not a failure.
    assert mail.outbox == []
    assert set(update.deliveries.values_list("state", flat=True)) == {DeliveryState.SENT}
    seen = call(client, "messages", {"after": 0}, token=visitor["token"], method="get").json()
    assert [m["direction"] for m in seen["messages"]] == ["in", "out"]
    assert "rolling out the fix" in seen["messages"][-1]["text"]
