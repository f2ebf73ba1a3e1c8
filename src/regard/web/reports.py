"""Figures pages: how reliably promises are kept, overall, per team and per agent."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from regard.accounts.models import Agent, Team
from regard.commitments.models import Commitment
from regard.conversations.access import agent_of


def _day(value: str | None, fallback: date) -> date:
    try:
        return date.fromisoformat(value) if value else fallback
    except ValueError:
        return fallback


@login_required
def promises(request):
    agent_of(request.user)
    today = timezone.localdate()
    start = _day(request.GET.get("from"), today - timedelta(days=30))
    end = _day(request.GET.get("to"), today)
    if end < start:
        start, end = end, start
    zone = timezone.get_current_timezone()
    made = Commitment.objects.filter(
        created_at__gte=datetime.combine(start, time.min, zone),
        created_at__lt=datetime.combine(end + timedelta(days=1), time.min, zone),
    )
    per_agent = made.follow_through("agent")
    per_team = made.follow_through("agent__teams")
    agents = {a.pk: a.display_name for a in Agent.objects.filter(pk__in=per_agent)}
    teams = {t.pk: t.name for t in Team.objects.filter(pk__in=per_team)}
    return render(
        request,
        "web/reports/promises.html",
        {
            "start": start,
            "end": end,
            "overall": made.follow_through(),
            "counts": {
                state: made.filter(state=state).count()
                for state in ("open", "kept", "broken", "renegotiated")
            },
            "per_agent": sorted(
                ((agents.get(pk, "(no agent)"), rate) for pk, rate in per_agent.items()),
                key=lambda row: row[0],
            ),
            "per_team": sorted(
                ((teams.get(pk, "(no team)"), rate) for pk, rate in per_team.items()),
                key=lambda row: row[0],
            ),
        },
    )
