"""Service-level pages: the policies and calendars in words, and attainment over a period."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from regard.accounts.permissions import ADMINISTER, can
from regard.conversations.access import agent_of
from regard.service.choices import Metric
from regard.service.figures import attainment as attainment_figures
from regard.service.models import BusinessCalendar, Policy
from regard.service.policies import conditions_in_words, escalation_in_words, targets_in_words
from regard.web.periods import period_from_query


@login_required
def policies(request):
    agent_of(request.user)
    rows = Policy.objects.select_related(
        "calendar", "team", "organization", "tag", "supervisor"
    ).order_by("position", "id")
    calendars = BusinessCalendar.objects.select_related("team").prefetch_related("holidays")
    return render(
        request,
        "service/policies.html",
        {
            "policies": [
                {
                    "policy": policy,
                    "conditions": conditions_in_words(policy),
                    "targets": targets_in_words(policy),
                    "escalation": escalation_in_words(policy),
                }
                for policy in rows
            ],
            "calendars": calendars,
            "can_edit": can(request.user, ADMINISTER),
        },
    )


@login_required
def attainment(request):
    agent_of(request.user)
    period = period_from_query(request.GET)
    start, end = period.start, period.end
    figures = attainment_figures(period.since, period.until, timezone.now())
    return render(
        request,
        "service/attainment.html",
        {
            "start": start,
            "end": end,
            "figures": figures,
            "metrics": [*Metric.choices, ("all", "All targets")],
            "groupings": [
                ("Per policy", figures["policy"]),
                ("Per team", figures["team"]),
                ("Per agent", figures["agent"]),
            ],
        },
    )
