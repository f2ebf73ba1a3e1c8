"""Figures pages: how reliably promises are kept, overall, per team and per agent."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from regard.accounts.models import Agent, Team
from regard.commitments.models import Commitment
from regard.conversations.access import agent_of
from regard.web.periods import period_from_query


@login_required
def promises(request):
    agent_of(request.user)
    period = period_from_query(request.GET)
    start, end = period.start, period.end
    made = Commitment.objects.filter(created_at__gte=period.since, created_at__lt=period.until)
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
