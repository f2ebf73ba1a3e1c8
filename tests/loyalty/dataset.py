"""Loyalty records for the export round trip: a policy, an answered survey with a follow-up,
a thank-you draft, kudos."""

from __future__ import annotations

from django.utils import timezone

from regard.loyalty.conf import policy
from regard.loyalty.models import GratitudeDraft, Kudos, Survey, SurveyAnswer


def add_loyalty_records(agent, conversation) -> None:
    rules = policy()
    rules.review_url = "https://reviews.example/ü"
    rules.save()
    now = timezone.now()
    customer = conversation.customer
    survey = Survey.objects.create(
        kind="csat",
        customer=customer,
        conversation=conversation,
        agent=agent,
        created_at=now,
        sent_at=now,
    )
    SurveyAnswer.objects.create(
        survey=survey, score=2, comment="Trop lent 🐢", answered_at=now, follow_up=conversation
    )
    GratitudeDraft.objects.create(
        customer=customer,
        occasion="first_conversation",
        occasion_key="first_conversation",
        owner=agent,
        text="Merci Zoë !",
        detail="“Où est ma commande ?”",
        created_at=now,
    )
    Kudos.objects.create(
        agent=agent,
        customer=customer,
        survey=survey,
        quote="Dana était géniale ✨",
        created_at=now,
    )
