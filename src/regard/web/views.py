"""The first agent pages: the inbox, a conversation with its customer card, and replying."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from regard.accounts.access import require
from regard.accounts.permissions import ASSIGN, CHANGE_STATUS, EDIT_CUSTOMER, REPLY, can
from regard.commitments.actions import keep_commitment
from regard.conversations import actions
from regard.conversations.access import agent_of, conversation_for, conversations_for
from regard.conversations.choices import Priority, Status
from regard.conversations.feelings import mood_trend
from regard.conversations.models import Attachment, Message
from regard.conversations.presence import newer_customer_message, visit
from regard.conversations.storage import blob_path
from regard.conversations.timeline import timeline as conversation_timeline
from regard.customers.choices import Channel
from regard.insight.coach import review, steps
from regard.web import conversation_page as page
from regard.web.inbox import VIEW_KEYS, VIEWS, Filters, needs_attention, view_counts
from regard.web.inbox_page import inbox_rows
from regard.web.notifications import unread_for_inbox

CHECK_LABELS = {
    "greeting": "Greets them by name",
    "thanks": "Thanks them for raising it",
    "acknowledge": "Acknowledges their issue",
    "next_step": "Says what happens next",
    "timeline": "Says when",
    "passive_voice": "Owns the action",
    "defensive": "Not defensive",
    "caps": "No shouting",
    "generic": "Personal, not a template",
    "supervisor_first": "Tries before escalating",
}
STEP_LABELS = {
    "greet": "Greet",
    "listen": "Listen",
    "next_step_timeline": "Next step + when",
    "thank": "Thank",
    "follow_through": "Follow through",
}


@login_required
def inbox(request):
    agent = agent_of(request.user)
    key = request.GET.get("view", "mine")
    if key not in VIEW_KEYS:
        key = "mine"
    visible = conversations_for(request.user)
    sort = request.GET.get("sort", "")
    filters = Filters.from_query(request.GET)
    rows = inbox_rows(key, visible, agent, sort=sort, filters=filters)
    counts = view_counts(visible, agent)
    return render(
        request,
        "web/inbox.html",
        {
            "agent": agent,
            "views": [(v, counts.get(v.key, "")) for v in VIEWS],
            "counts": counts,
            "view": key,
            "sort": sort,
            "view_label": next(v.label for v in VIEWS if v.key == key),
            "filters": filters,
            "channels": Channel.choices,
            "priorities": Priority.choices,
            "organizations": page.ORGANIZATIONS(),
            "statuses": Status.choices,
            "assignable": page.assignable(None),
            "here": request.get_full_path(),
            "attention": needs_attention(agent, timezone.now()),
            "notifications": unread_for_inbox(agent),
            "rows": rows,
        },
    )


@login_required
def conversation(request, conversation_id: int):
    convo = conversation_for(request.user, conversation_id)
    customer = convo.customer
    timeline = page.MESSAGES(conversation=convo.pk)
    moods = [(m.emotion, m.emotion_intensity) for m in timeline if m.direction == "inbound"]
    entries = conversation_timeline(convo, timeline)
    agent = agent_of(request.user)
    return render(
        request,
        "web/conversation.html",
        {
            "convo": convo,
            "customer": customer,
            "timeline": entries,
            "mood_trend": mood_trend(moods[-4:]),
            "promises": page.PROMISES(conversation=convo.pk),
            "open_promises": page.OPEN_PROMISES(customer=customer.pk),
            "identities": page.IDENTITIES(customer=customer.pk),
            "notes": page.NOTES(customer=customer.pk),
            "moments": page.MOMENTS(customer=customer.pk),
            "history": page.HISTORY(customer=customer.pk, conversation=convo.pk),
            "conversation_count": page.CONVERSATION_COUNT(customer.pk),
            "can_reply": can(request.user, REPLY) and convo.status != Status.CLOSED,
            "can_edit_customer": can(request.user, EDIT_CUSTOMER),
            "statuses": Status.choices,
            "present": visit(agent, convo),
            "can_assign": can(request.user, ASSIGN),
            "assignable": page.assignable(convo),
            "last_inbound_id": max(
                (m.pk for m in timeline if m.direction == "inbound"), default=None
            ),
            "draft": request.session.pop(f"draft:{convo.pk}", None),
            "saved_replies": page.saved_replies(agent, convo),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def coach(request, conversation_id: int):
    """The reply coach's checklist for the draft being typed (an htmx partial)."""
    convo = conversation_for(request.user, conversation_id)
    last = convo.messages.filter(direction="inbound").order_by("-created_at").first()
    recent = list(
        Message.objects.filter(author=request.user, direction="outbound")
        .exclude(conversation=convo)
        .order_by("-created_at")
        .values_list("text_new", flat=True)[:20]
    )
    findings = review(
        request.POST.get("text", "")[:20000],
        customer_name=convo.customer.address_name or None,
        customer_message=last.text_new if last else None,
        upset=convo.upset,
        recent_replies=recent,
    )
    return render(
        request,
        "web/coach.html",
        {
            "findings": [
                (finding, CHECK_LABELS.get(finding.check, finding.check)) for finding in findings
            ],
            "steps": [
                (STEP_LABELS.get(step, step), score) for step, score in steps(findings).items()
            ],
        },
    )


@login_required
@require_POST
def snooze(request, conversation_id: int):
    convo = conversation_for(request.user, conversation_id)
    require(request.user, CHANGE_STATUS)
    try:
        until = datetime.fromisoformat(request.POST.get("until", ""))
        if timezone.is_naive(until):
            until = timezone.make_aware(until)
        actions.snooze_conversation(request.user, convo, until)
    except ValueError as exc:
        flash.error(request, f"Could not snooze: {exc}")
    return redirect("web:conversation", conversation_id=convo.pk)


@login_required
@require_POST
def keep_promise(request, conversation_id: int, commitment_id: int):
    convo = conversation_for(request.user, conversation_id)
    require(request.user, REPLY)
    commitment = convo.commitments.filter(pk=commitment_id).first()
    if commitment is None:
        raise Http404("No such promise")
    try:
        keep_commitment(request.user, commitment, request.POST.get("how", ""))
    except ValueError as exc:
        flash.error(request, str(exc))
    return redirect("web:conversation", conversation_id=convo.pk)


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
            seen = request.POST.get("seen", "")
            newer = newer_customer_message(convo, int(seen) if seen.isdigit() else None)
            if newer is not None and not request.POST.get("send_anyway"):
                # Keep the draft and show the new message before anything is sent.
                request.session[f"draft:{convo.pk}"] = {"text": text}
                flash.warning(request, "A new message arrived while you were writing: not sent.")
                return redirect("web:conversation", conversation_id=convo.pk)
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


SAFE_INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


@login_required
def attachment(request, conversation_id: int, attachment_id: int):
    """Serve a stored file after checking the conversation; never rendered as a page."""
    convo = conversation_for(request.user, conversation_id)
    item = Attachment.objects.filter(pk=attachment_id, message__conversation=convo).first()
    if item is None:
        raise Http404("No such attachment")
    if item.blocked:
        raise PermissionDenied("This file type is blocked; an admin can retrieve it.")
    try:
        handle = blob_path(item.sha256).open("rb")
    except (OSError, ValueError):
        raise Http404("The file is missing from storage") from None
    inline = item.content_type in SAFE_INLINE_TYPES
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=item.filename,
        content_type=item.content_type if inline else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
