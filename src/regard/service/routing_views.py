"""Routing pages: an agent sets their own availability; supervisors and admins set each team's
routing mode and each agent's capacity, skills and languages."""

from __future__ import annotations

from django import forms
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from regard.accounts.access import require
from regard.accounts.choices import Availability, RoutingMode
from regard.accounts.models import Agent, Team
from regard.accounts.permissions import MANAGE_ROUTING
from regard.conversations.access import agent_of
from regard.conversations.choices import ACTIVE_STATUSES
from regard.service import routing_actions


class AvailabilityForm(forms.Form):
    availability = forms.ChoiceField(choices=Availability.choices)


class TeamRoutingForm(forms.Form):
    routing_mode = forms.ChoiceField(choices=RoutingMode.choices, label="Mode")
    offer_back_after = forms.IntegerField(
        min_value=1,
        max_value=7 * 24 * 60,
        required=False,
        label="Offer back after (minutes away)",
        help_text="Empty: never",
    )
    receives_new = forms.BooleanField(required=False, label="Takes new conversations without team")


class AgentRoutingForm(forms.Form):
    capacity = forms.IntegerField(min_value=0, max_value=1000)
    skills = forms.CharField(max_length=500, required=False)
    languages = forms.CharField(max_length=120, required=False)


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _back(request) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


@login_required
@require_POST
def availability(request):
    """The agent's own availability; routing skips anyone not available."""
    agent = agent_of(request.user)
    form = AvailabilityForm(request.POST)
    if form.is_valid():
        routing_actions.set_availability(agent, form.cleaned_data["availability"])
    if _is_htmx(request):
        context = {
            "agent": agent,
            "choices": Availability.choices,
            "next": _back(request),
            "can_manage": False,
        }
        return render(request, "service/_availability.html", context, status=200)
    if form.is_valid():
        flash.success(request, f"You are {agent.get_availability_display().lower()}.")
    else:
        flash.error(request, "Choose available, away or offline.")
    return redirect(_back(request))


@login_required
@require_GET
def routing(request):
    require(request.user, MANAGE_ROUTING)
    return _render_routing(request)


def _render_routing(request, status: int = 200, errors: dict | None = None):
    active = Q(conversations__status__in=ACTIVE_STATUSES)
    teams = Team.objects.annotate(
        waiting=Count("conversations", filter=active & Q(conversations__assignee__isnull=True))
    ).prefetch_related("agents")
    agents = Agent.objects.annotate(open=Count("conversations", filter=active)).select_related(
        "user"
    )
    rows = []
    for team in teams:
        form = (errors or {}).get(("team", team.pk)) or TeamRoutingForm(
            initial={
                "routing_mode": team.routing_mode,
                "offer_back_after": team.offer_back_after,
                "receives_new": team.receives_new,
            },
            prefix=f"team{team.pk}",
        )
        rows.append((team, form, sorted(a.display_name for a in team.agents.all())))
    people = [
        (
            agent,
            (errors or {}).get(("agent", agent.pk))
            or AgentRoutingForm(
                initial={
                    "capacity": agent.capacity,
                    "skills": agent.skills,
                    "languages": agent.languages,
                },
                prefix=f"agent{agent.pk}",
            ),
        )
        for agent in agents
    ]
    context = {"teams": rows, "agents": people, "modes": RoutingMode.choices}
    return render(request, "service/routing.html", context, status=status)


@login_required
@require_POST
def routing_team(request, team_id: int):
    require(request.user, MANAGE_ROUTING)
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise Http404("No such team")
    form = TeamRoutingForm(request.POST, prefix=f"team{team.pk}")
    if not form.is_valid():
        return _render_routing(request, status=400, errors={("team", team.pk): form})
    routing_actions.update_team_routing(team, **form.cleaned_data)
    flash.success(request, f"{team.name}: routing saved.")
    return redirect("service:routing")


@login_required
@require_POST
def routing_agent(request, agent_id: int):
    require(request.user, MANAGE_ROUTING)
    agent = Agent.objects.filter(pk=agent_id).first()
    if agent is None:
        raise Http404("No such agent")
    form = AgentRoutingForm(request.POST, prefix=f"agent{agent.pk}")
    if not form.is_valid():
        return _render_routing(request, status=400, errors={("agent", agent.pk): form})
    routing_actions.update_agent_routing(agent, **form.cleaned_data)
    flash.success(request, f"{agent.display_name}: capacity and skills saved.")
    return redirect("service:routing")
