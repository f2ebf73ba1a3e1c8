"""Writing an update: the coach's advice, the number of recipients to confirm, then sending;
and the report of everything an incident sent and heard back."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from regard.incidents import broadcast, queries
from regard.incidents.access import incident_for, require_broadcast
from regard.incidents.choices import IncidentStatus
from regard.incidents.forms import LOCAL, UpdateForm
from regard.incidents.models import IncidentUpdate
from regard.incidents.wording import personalise
from regard.insight.coach import review, steps
from regard.web.views import CHECK_LABELS, STEP_LABELS

# The greeting is written for each customer by Regard, so the coach does not ask for one.
NOT_CHECKED = {"greeting"}


def advice(text: str) -> dict:
    findings = [f for f in review(text[:20000]) if f.check not in NOT_CHECKED]
    return {
        "findings": [(f, CHECK_LABELS.get(f.check, f.check)) for f in findings],
        "steps": [
            (STEP_LABELS.get(step, step), score)
            for step, score in steps(findings).items()
            if step != "greet"
        ],
    }


@login_required
@require_POST
def coach(request, incident_id: int):
    """The coach's checklist for the update being typed (an htmx partial)."""
    require_broadcast(request.user, incident_for(request.user, incident_id))
    return render(request, "web/coach.html", advice(request.POST.get("text", "")))


@login_required
def compose(request, incident_id: int):
    incident = incident_for(request.user, incident_id)
    require_broadcast(request.user, incident)
    if not incident.is_open:
        flash.error(request, "This incident is resolved; it sends no more updates.")
        return redirect("incidents:detail", incident_id=incident.pk)
    suggested_next = (timezone.now() + timedelta(hours=1)).replace(second=0, microsecond=0)
    form = UpdateForm(
        request.POST or None,
        initial={
            "status": incident.status,
            "next_update_due_at": timezone.localtime(suggested_next).strftime(LOCAL),
        },
    )
    audience = broadcast.audience(incident)
    context = {"incident": incident, "form": form, "audience": audience, "confirm": False}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["confirmed_recipients"] is None:
            context.update(confirm=True, preview=_preview(incident, data), **advice(data["text"]))
            return render(request, "incidents/compose.html", context)
        try:
            update = _send(request.user, incident, data)
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            n = update.recipients
            flash.success(request, f"Update queued for {n} customer{'s' if n != 1 else ''}.")
            return redirect("incidents:detail", incident_id=incident.pk)
    status = 400 if form.errors else 200
    return render(request, "incidents/compose.html", context, status=status)


def _send(user, incident, data) -> IncidentUpdate:
    if data["status"] == IncidentStatus.RESOLVED:
        return broadcast.resolve_incident(
            user,
            incident,
            data["text"],
            solve_conversations=data["solve_conversations"],
            expected_recipients=data["confirmed_recipients"],
        )
    return broadcast.queue_update(
        user,
        incident,
        data["text"],
        status=data["status"],
        next_update_due_at=data["next_update_due_at"],
        expected_recipients=data["confirmed_recipients"],
    )


def _preview(incident, data) -> str:
    """The update as the first recipient will read it."""
    first = broadcast.recipients(incident).select_related("customer").order_by("pk").first()
    if first is None:
        return ""
    from regard.incidents.sending import concierge_of

    closing = data["status"] == IncidentStatus.RESOLVED
    draft = IncidentUpdate(
        incident=incident,
        text=data["text"],
        status=data["status"],
        closing=closing,
        next_update_due_at=None if closing else data["next_update_due_at"],
    )
    return personalise(draft, first.customer, first.note, concierge_of(first, incident))


@login_required
def report(request, incident_id: int):
    incident = incident_for(request.user, incident_id)
    return render(
        request,
        "incidents/report.html",
        {
            "incident": incident,
            **queries.report(incident),
            "counts": queries.delivery_counts(incident),
        },
    )
