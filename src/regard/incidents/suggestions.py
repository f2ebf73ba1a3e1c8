"""While incidents are open, each inbound message is scored against them; a close match becomes a
suggestion the agent confirms or dismisses. No incident open: one small query, nothing else."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction

from regard.conversations.events import record_event
from regard.conversations.memo import remembered
from regard.incidents import similarity
from regard.incidents.choices import IncidentEvent
from regard.incidents.models import AffectedCustomer, Incident, LinkSuggestion

log = logging.getLogger("regard.incidents")


def consider_message(message) -> list[LinkSuggestion]:
    """Suggest linking `message`'s conversation to each open incident it resembles.

    Called from `conversations.hooks.message_received` inside the inbound transaction; a failure
    here is logged and rolled back to a savepoint, never losing the message.
    """
    open_profiles = remembered("open_incident_profiles", _open_profiles)
    if not open_profiles:
        return []
    try:
        with transaction.atomic():
            return _suggest(message, open_profiles)
    except Exception:
        log.exception("incident suggestion failed for message %s", message.pk)
        return []


def _open_profiles() -> list[tuple[int, str, dict]]:
    return [
        (pk, title, profile)
        for pk, title, profile in Incident.objects.open().values_list("pk", "title", "profile")
        if profile
    ]


def _suggest(message, open_profiles) -> list[LinkSuggestion]:
    text = f"{message.subject}\n{message.text_new or message.text_full}"
    matches = []
    for pk, title, profile in open_profiles:
        score, words = similarity.score(profile, text)
        if score >= similarity.THRESHOLD:
            matches.append((pk, title, score, words))
    if not matches:
        return []
    conversation = message.conversation
    linked = set(
        AffectedCustomer.objects.filter(
            incident_id__in=[m[0] for m in matches], customer_id=conversation.customer_id
        ).values_list("incident_id", flat=True)
    )
    made = []
    for pk, title, score, words in matches:
        if pk in linked:
            continue
        try:
            with transaction.atomic():
                suggestion = LinkSuggestion.objects.create(
                    incident_id=pk,
                    conversation=conversation,
                    message=message,
                    score=score,
                    words=words[:8],
                    created_at=message.created_at,
                )
        except IntegrityError:
            continue  # this conversation is already suggested for this incident
        record_event(
            IncidentEvent.SUGGESTED,
            conversation=conversation,
            at=message.created_at,
            incident_id=pk,
            incident=title,
            score=score,
            words=words[:8],
            message_id=message.pk,
        )
        made.append(suggestion)
    return made
