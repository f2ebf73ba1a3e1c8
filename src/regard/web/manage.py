"""Changing conversations from the workspace: assign one, act on many at once, and say who
else is looking at a conversation."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from regard.accounts.access import require
from regard.accounts.models import Agent
from regard.accounts.permissions import ASSIGN, CHANGE_STATUS, REPLY
from regard.channels.chat.delivery import publish_agent_typing
from regard.conversations import actions
from regard.conversations.access import agent_of, conversation_for, conversations_for
from regard.conversations.presence import visit

BULK_CAPABILITY = {"assign": ASSIGN, "tag": REPLY, "status": CHANGE_STATUS, "merge": ASSIGN}
BULK_ACTIONS = tuple(BULK_CAPABILITY)
BULK_LIMIT = 200


def assignable_agents(conversation=None):
    """Agents a conversation can go to: its team's, or everyone when it has no team."""
    return agents_of_team(conversation.team_id if conversation is not None else None)


def agents_of_team(team_id: int | None):
    """Active agents of the team (of every team for None), by name."""
    agents = Agent.objects.filter(user__is_active=True).order_by("display_name")
    if team_id:
        agents = agents.filter(teams=team_id)
    return agents.only("id", "display_name")


def _assignee(request, conversation=None) -> Agent | None:
    value = request.POST.get("assignee", "")
    if value == "me":
        return agent_of(request.user)
    if not value:
        return None
    agent = assignable_agents(conversation).filter(pk=value).first() if value.isdigit() else None
    if agent is None:
        raise ValueError("choose an agent of the conversation's team")
    return agent


@login_required
@require_POST
def assign(request, conversation_id: int):
    convo = conversation_for(request.user, conversation_id)
    require(request.user, ASSIGN)
    try:
        assignee = _assignee(request, convo)
        actions.assign_conversation(request.user, convo, assignee, reason="assigned by hand")
        who = assignee.display_name if assignee else "nobody"
        flash.success(request, f"Assigned to {who}.")
    except ValueError as exc:
        flash.error(request, str(exc))
    return redirect("web:conversation", conversation_id=convo.pk)


@login_required
@require_POST
def presence(request, conversation_id: int):
    """Heartbeat from an open conversation; answers with who else is there (htmx partial)."""
    convo = conversation_for(request.user, conversation_id)
    agent = agent_of(request.user)
    typing = request.POST.get("typing") == "1"
    others = visit(agent, convo, typing=typing)
    publish_agent_typing(agent, convo, typing)  # a chat visitor sees "Dana is typing"
    return render(request, "web/_presence.html", {"convo": convo, "others": others})


@login_required
@require_POST
def bulk(request):
    """One action on the conversations ticked in the inbox; only those the agent may see."""
    action = request.POST.get("action", "")
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()][:BULK_LIMIT]
    if action not in BULK_ACTIONS:
        return HttpResponseBadRequest(f"unknown action: choose one of {', '.join(BULK_ACTIONS)}")
    require(request.user, BULK_CAPABILITY[action])
    chosen = list(conversations_for(request.user).filter(pk__in=ids).order_by("created_at", "pk"))
    if not chosen:
        flash.error(request, "Tick at least one conversation first.")
        return _back(request)
    try:
        with transaction.atomic():
            done = _apply(request, action, chosen)
        flash.success(request, done)
    except ValueError as exc:
        flash.error(request, f"Nothing changed: {exc}")
    return _back(request)


def _apply(request, action: str, chosen: list) -> str:
    user = request.user
    if action == "assign":
        for convo in chosen:
            assignee = _assignee(request, convo)
            actions.assign_conversation(user, convo, assignee, reason="bulk assignment")
        return f"Assigned {len(chosen)} to {assignee.display_name if assignee else 'nobody'}."
    if action == "tag":
        added = [t for t in request.POST.get("tags", "").split(",") if t.strip()]
        if not added:
            raise ValueError("type one or more tags, separated by commas")
        for convo in chosen:
            actions.set_tags(user, convo, [*convo.tags.values_list("name", flat=True), *added])
        return f"Tagged {len(chosen)}."
    if action == "status":
        status = request.POST.get("status", "")
        for convo in chosen:
            actions.change_status(user, convo, status)
        return f"Set {len(chosen)} to {status}."
    target, *sources = chosen
    if not sources:
        raise ValueError("tick two or more conversations of one customer to merge them")
    for source in sources:
        actions.merge_conversations(user, source, target)
    return f"Merged {len(sources)} into #{target.pk}."


def _back(request):
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, {request.get_host()}):
        return redirect(back)
    return redirect("web:inbox")
