"""The first agent pages: the inbox, a conversation with its customer card, and replying."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from regard.accounts.access import require
from regard.accounts.permissions import REPLY, can
from regard.conversations import actions
from regard.conversations.access import agent_of, conversation_for, conversations_for
from regard.conversations.choices import ACTIVE_STATUSES, Status

VIEWS = {
    "mine": "Mine",
    "waiting": "Waiting longest",
    "unassigned": "Unassigned",
    "all": "All open",
}


@login_required
def inbox(request):
    agent = agent_of(request.user)
    view = request.GET.get("view", "mine")
    if view not in VIEWS:
        view = "mine"
    base = conversations_for(request.user).filter(status__in=ACTIVE_STATUSES)
    if view == "mine":
        rows = base.filter(assignee=agent).order_by("-updated_at")
    elif view == "waiting":
        rows = base.waiting_longest(agent)
    elif view == "unassigned":
        rows = base.filter(assignee__isnull=True).order_by("-created_at")
    else:
        rows = base.order_by("-updated_at")
    rows = rows.select_related("customer", "assignee", "team")[:100]
    return render(
        request,
        "web/inbox.html",
        {
            "agent": agent,
            "views": VIEWS,
            "view": view,
            "view_label": VIEWS[view],
            "rows": rows,
        },
    )


@login_required
def conversation(request, conversation_id: int):
    convo = conversation_for(request.user, conversation_id)
    customer = convo.customer
    timeline = convo.messages.select_related("author__agent", "raw").prefetch_related("attachments")
    history = (
        customer.conversations.exclude(pk=convo.pk)
        .order_by("-created_at")
        .only("id", "subject", "status", "created_at")[:5]
    )
    return render(
        request,
        "web/conversation.html",
        {
            "convo": convo,
            "customer": customer,
            "timeline": timeline,
            "identities": customer.identities.all(),
            "notes": customer.notes.select_related("author")[:5],
            "moments": customer.moments.all()[:6],
            "history": history,
            "conversation_count": customer.conversations.count(),
            "can_reply": can(request.user, REPLY) and convo.status != Status.CLOSED,
            "statuses": Status.choices,
        },
    )


@login_required
@require_POST
def reply(request, conversation_id: int):
    convo = conversation_for(request.user, conversation_id)
    kind = request.POST.get("kind", "reply")
    text = request.POST.get("text", "")
    try:
        if kind == "note":
            actions.add_note(request.user, convo, text)
        else:
            require(request.user, REPLY)
            status = request.POST.get("status") or None
            actions.send_reply(request.user, convo, text, status=status)
    except ValueError as exc:
        flash.error(request, str(exc))
    return redirect("web:conversation", conversation_id=convo.pk)


@login_required
def raw_source(request, conversation_id: int, message_id: int):
    convo = conversation_for(request.user, conversation_id)
    message = convo.messages.select_related("raw").filter(pk=message_id).first()
    if message is None or message.raw is None:
        raise Http404("No raw source for this message")
    response = HttpResponse(bytes(message.raw.data), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="message-{message.pk}.eml.txt"'
    return response
