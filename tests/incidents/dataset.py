"""Incident records for the export round-trip test: one of each kind, made through actions."""

from __future__ import annotations

import datetime as dt

from django.test import override_settings

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def add_incident_records(agent, conversation) -> None:
    from regard.customers.models import Organization
    from regard.incidents import actions, broadcast
    from regard.incidents.models import LinkSuggestion

    at = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    incident = actions.declare_incident(
        agent.user,
        title="Paiements refusés 💳",
        public_text="Les paiements par carte échouent; nous corrigeons.",
        next_update_due_at=at + dt.timedelta(hours=1),
        at=at,
    )
    actions.link_customer(agent.user, incident, conversation=conversation, note="Ü", at=at)
    organization = Organization.objects.order_by("pk").first() or Organization.objects.create(
        name="Société Générale du Test"
    )
    actions.assign_concierge(agent.user, incident, agent, organization=organization, at=at)
    LinkSuggestion.objects.create(
        incident=incident, conversation=conversation, score=0.4, words=["carte"], created_at=at
    )
    # Queued, not sent: the other tests count the messages this dataset holds.
    with override_settings(TASKS=DUMMY):
        broadcast.queue_update(agent.user, incident, "Nous corrigeons le paiement.", at=at)
