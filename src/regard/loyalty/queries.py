"""Named queries for the loyalty pages: the radar, advocates and the people customers love."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery
from django.utils import timezone

from regard.loyalty.choices import PROMOTER, DraftState, SurveyKind
from regard.loyalty.models import CustomerHealth, GratitudeDraft, Kudos, SurveyAnswer


def drifting(customers, *, mine=None, limit: int = 100):
    """Customers at risk among `customers`, riskiest and most valued first."""
    rows = CustomerHealth.objects.filter(risk__gt=0, customer__in=customers)
    if mine is not None:
        rows = rows.filter(customer__owner=mine)
    return rows.select_related("customer__owner").order_by("-risk", "-value", "customer_id")[:limit]


def advocates(customers, limit: int = 200):
    """Promoters, customers who complimented us, and customers who referred others, with the
    last time we thanked them."""
    promoter = SurveyAnswer.objects.filter(
        survey__customer=OuterRef("pk"), survey__kind=SurveyKind.NPS, score__gte=PROMOTER
    )
    thanked = (
        GratitudeDraft.objects.filter(customer=OuterRef("pk"), state=DraftState.SENT)
        .order_by("-sent_at")
        .values("sent_at")[:1]
    )
    best_nps = (
        SurveyAnswer.objects.filter(survey__customer=OuterRef("pk"), survey__kind=SurveyKind.NPS)
        .order_by("-answered_at")
        .values("score")[:1]
    )
    return (
        customers.annotate(
            promoter=Exists(promoter),
            nps=Subquery(best_nps),
            compliments=Count("kudos", distinct=True),
            referred=Count("referrals", distinct=True),
            last_thanked=Subquery(thanked),
        )
        .filter(Q(promoter=True) | Q(compliments__gt=0) | Q(referred__gt=0))
        .select_related("owner")
        .order_by("-referred", "-compliments", "-nps", "pk")[:limit]
    )


def loved(start, end, team=None):
    """Agents with kudos in the period (most first), each with the customers' own words."""
    kudos = Kudos.objects.filter(created_at__gte=start, created_at__lt=end)
    if team is not None:
        kudos = kudos.filter(agent__teams=team)
    counts = list(
        kudos.values("agent_id", "agent__display_name")
        .annotate(n=Count("id", distinct=True), last=Max("created_at"))
        .order_by("-n", "agent__display_name")
    )
    words = {}
    for k in kudos.select_related("customer").order_by("-created_at")[:500]:
        words.setdefault(k.agent_id, [])
        if len(words[k.agent_id]) < 5:
            words[k.agent_id].append(k)
    return [(row, words.get(row["agent_id"], [])) for row in counts]


def period(days: int = 90):
    end = timezone.now()
    return end - timedelta(days=days), end
