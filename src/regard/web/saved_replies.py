"""Saved replies: inserting one into the composer, and the page where agents keep them."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from regard.accounts.access import require_agent
from regard.accounts.models import Team
from regard.conversations.access import agent_of, conversation_for
from regard.conversations.models import SavedReply
from regard.conversations.saved_replies import (
    PLACEHOLDERS,
    delete_saved_reply,
    fill,
    manages_all,
    may_manage,
    save_saved_reply,
    saved_replies_for,
    values_for,
)


@login_required
@require_POST
def insert(request, conversation_id: int):
    """The composer's text area with the saved reply filled in after what was typed."""
    convo = conversation_for(request.user, conversation_id)
    agent = agent_of(request.user)
    chosen = request.POST.get("saved", "")
    available = saved_replies_for(agent, convo)
    saved = available.filter(pk=chosen).first() if chosen.isdigit() else None
    if saved is None:
        raise Http404("No such saved reply")
    typed = request.POST.get("text", "").rstrip()
    filled = fill(saved.text, values_for(convo, agent))
    text = f"{typed}\n\n{filled}" if typed else filled
    return render(request, "web/_reply_text.html", {"convo": convo, "text": text})


@login_required
@require_http_methods(["GET", "POST"])
def manage(request):
    require_agent(request.user)
    agent = agent_of(request.user)
    if request.method == "POST":
        try:
            save_saved_reply(
                request.user,
                title=request.POST.get("title", ""),
                text=request.POST.get("text", ""),
                team=_team(request, agent),
                saved=_editable(request, request.POST.get("id")),
            )
            flash.success(request, "Saved reply kept.")
            return redirect("web:saved_replies")
        except ValueError as exc:
            flash.error(request, str(exc))
    admin = manages_all(request.user)
    replies = (SavedReply.objects.all() if admin else saved_replies_for(agent)).select_related(
        "team"
    )
    return render(
        request,
        "web/saved_replies.html",
        {
            "replies": [(r, may_manage(request.user, r)) for r in replies],
            "teams": Team.objects.all() if admin else agent.teams.all(),
            "placeholders": PLACEHOLDERS,
            "can_share_with_all": admin,
            "editing": _editable(request, request.GET.get("edit")),
        },
    )


@login_required
@require_POST
def delete(request, saved_id: int):
    require_agent(request.user)
    saved = _editable(request, saved_id)
    if saved is None:
        raise Http404("No such saved reply")
    if not may_manage(request.user, saved):
        raise PermissionDenied("you may not delete this saved reply")
    delete_saved_reply(request.user, saved)
    flash.success(request, f"Deleted “{saved.title}”.")
    return redirect("web:saved_replies")


def _team(request, agent) -> Team | None:
    value = request.POST.get("team", "")
    if not value:
        return None
    teams = Team.objects.all() if manages_all(request.user) else agent.teams.all()
    team = teams.filter(pk=value).first() if value.isdigit() else None
    if team is None:
        raise ValueError("choose one of your teams")
    return team


def _editable(request, value) -> SavedReply | None:
    """A saved reply the user may see, by id; None for none given. Others are not found."""
    if value in (None, ""):
        return None
    agent = agent_of(request.user)
    visible = SavedReply.objects.all() if manages_all(request.user) else saved_replies_for(agent)
    saved = visible.filter(pk=value).first() if str(value).isdigit() else None
    if saved is None:
        raise Http404("No such saved reply")
    return saved
