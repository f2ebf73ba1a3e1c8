"""Incident pages: the list, one incident, declaring and editing, linking, composing an update
(with the coach and a recipient count to confirm), and the report."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from regard.accounts.models import Agent
from regard.accounts.permissions import REPLY, can
from regard.conversations.access import conversation_for, customers_for
from regard.customers.models import Organization
from regard.incidents import actions, broadcast, queries
from regard.incidents.access import (
    incident_for,
    incidents_for,
    may_broadcast,
    require_broadcast,
    require_declare,
    require_link,
)
from regard.incidents.choices import IncidentStatus, SuggestionState
from regard.incidents.forms import DeclareForm, IncidentForm
from regard.incidents.models import AffectedCustomer, LinkSuggestion

FIELDS = ("title", "public_text", "internal_notes", "severity", "next_update_due_at")


@login_required
def incident_list(request):
    incidents = incidents_for(request.user).select_related("owner")
    return render(
        request,
        "incidents/list.html",
        {
            "open": incidents.open(),
            "resolved": incidents.filter(status=IncidentStatus.RESOLVED)[:50],
            "can_declare": can(request.user, REPLY),
        },
    )


@login_required
def declare(request):
    require_declare(request.user)
    form = DeclareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = actions.declare_incident(
                request.user,
                **{f: data[f] for f in FIELDS},
                status=data["status"],
                owner=data["owner"],
            )
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("incidents:detail", incident_id=incident.pk)
    status = 400 if form.errors else 200
    return render(request, "incidents/form.html", {"form": form, "incident": None}, status=status)


@login_required
def edit(request, incident_id: int):
    incident = incident_for(request.user, incident_id)
    require_broadcast(request.user, incident)
    initial = {f: getattr(incident, f) for f in FIELDS} | {"owner": incident.owner}
    form = IncidentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.edit_incident(
                request.user,
                incident,
                **{f: data[f] for f in FIELDS},
                owner=data["owner"] or incident.owner,
            )
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("incidents:detail", incident_id=incident.pk)
    status = 400 if form.errors else 200
    return render(
        request, "incidents/form.html", {"form": form, "incident": incident}, status=status
    )


@login_required
def detail(request, incident_id: int):
    incident = incident_for(request.user, incident_id)
    return render(
        request,
        "incidents/detail.html",
        {
            "incident": incident,
            "audience": broadcast.audience(incident),
            "affected": queries.affected_rows(incident),
            "suggestions": incident.suggestions.filter(state=SuggestionState.PENDING)
            .select_related("conversation__customer", "message")
            .order_by("-score")[:50],
            "updates": queries.updates_with_counts(incident, newest_first=True),
            "groups": incident.group_concierges.select_related("organization", "agent"),
            "agents": Agent.objects.all(),
            "organizations": Organization.objects.all()[:500],
            "statuses": [s for s in IncidentStatus.choices if s[0] != IncidentStatus.RESOLVED],
            "may_broadcast": may_broadcast(request.user, incident),
            "may_link": can(request.user, REPLY) and incident.is_open,
        },
    )


def _act(request, action, *args, done: str = "", **kwargs):
    try:
        result = action(request.user, *args, **kwargs)
    except ValueError as exc:
        flash.error(request, str(exc))
        return None
    if done:
        flash.success(request, done.format(result=result))
    return result


@login_required
@require_POST
def change_status(request, incident_id: int):
    incident = incident_for(request.user, incident_id)
    _act(request, actions.change_incident_status, incident, request.POST.get("status"))
    return redirect("incidents:detail", incident_id=incident.pk)


@login_required
@require_POST
def link(request, incident_id: int):
    """Link by hand: a conversation number or a customer's e-mail address."""
    incident = incident_for(request.user, incident_id)
    require_link(request.user)
    what = request.POST.get("what", "").strip().lstrip("#")
    kwargs = {"note": request.POST.get("note", "")}
    if what.isdigit():
        kwargs["conversation"] = conversation_for(request.user, what)
    else:
        customer = customers_for(request.user).filter(identities__value=what.lower()).first()
        if customer is None:
            flash.error(request, f"No conversation or customer found for “{what}”.")
            return redirect("incidents:detail", incident_id=incident.pk)
        kwargs["customer"] = customer
    _act(
        request, actions.link_customer, incident, done="{result.customer} is linked.",
        **kwargs,
    )  # fmt: skip
    return redirect("incidents:detail", incident_id=incident.pk)


@login_required
@require_POST
def link_organization(request, incident_id: int):
    incident = incident_for(request.user, incident_id)
    require_link(request.user)
    organization = Organization.objects.filter(pk=request.POST.get("organization") or 0).first()
    if organization is None:
        flash.error(request, "Choose an organization.")
    else:
        done = f"{{result}} new customers of {organization.name} linked."
        _act(request, actions.link_organization, incident, organization, done=done)
    return redirect("incidents:detail", incident_id=incident.pk)


@login_required
@require_POST
def link_search(request, incident_id: int):
    incident = incident_for(request.user, incident_id)
    require_link(request.user)
    query = request.POST.get("q", "")
    done = "{result} new customers linked from the search."
    _act(request, actions.link_search, incident, query, done=done)
    return redirect("incidents:detail", incident_id=incident.pk)


@login_required
@require_POST
def decide_suggestion(request, incident_id: int, suggestion_id: int):
    incident = incident_for(request.user, incident_id)
    require_link(request.user)
    suggestion = LinkSuggestion.objects.filter(incident=incident, pk=suggestion_id).first()
    if suggestion is None:
        raise Http404("No such suggestion")
    conversation_for(request.user, suggestion.conversation_id)
    if request.POST.get("decision") == "confirm":
        _act(request, actions.confirm_suggestion, suggestion, done="Linked.")
    else:
        _act(request, actions.dismiss_suggestion, suggestion)
    return redirect("incidents:detail", incident_id=incident.pk)


@login_required
@require_POST
def affected(request, incident_id: int, affected_id: int):
    """One affected customer: their note, their concierge, whether they want updates."""
    incident = incident_for(request.user, incident_id)
    require_link(request.user)
    link_row = AffectedCustomer.objects.filter(incident=incident, pk=affected_id).first()
    if link_row is None:
        raise Http404("No such affected customer")
    if "note" in request.POST:
        _act(request, actions.set_customer_note, link_row, request.POST["note"])
    if "muted" in request.POST:
        muted = request.POST["muted"] == "1"
        _act(request, actions.set_muted, link_row, muted)
    if request.POST.get("concierge"):
        agent = Agent.objects.filter(pk=request.POST["concierge"]).first()
        if agent is None:
            raise Http404("No such agent")
        _act(request, actions.assign_concierge, incident, agent, link=link_row)
    return redirect("incidents:detail", incident_id=incident.pk)


@login_required
@require_POST
def group_concierge(request, incident_id: int):
    incident = incident_for(request.user, incident_id)
    require_broadcast(request.user, incident)
    agent = Agent.objects.filter(pk=request.POST.get("agent") or 0).first()
    organization = Organization.objects.filter(pk=request.POST.get("organization") or 0).first()
    if agent is None or organization is None:
        flash.error(request, "Choose an organization and an agent.")
    else:
        done = f"{agent.display_name} speaks for the incident to {organization.name}."
        _act(
            request, actions.assign_concierge, incident, agent,
            organization=organization, done=done,
        )  # fmt: skip
    return redirect("incidents:detail", incident_id=incident.pk)
