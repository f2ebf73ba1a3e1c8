"""Agent pages: the radar, reaching out, thank-you drafts, advocates, the people customers love."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from regard.accounts.access import require
from regard.accounts.models import Team
from regard.accounts.permissions import REPLY, VIEW_ALL_TEAMS, can
from regard.conversations.access import agent_of, customer_for, customers_for
from regard.loyalty import drafts, queries
from regard.loyalty.choices import DraftState, Occasion
from regard.loyalty.models import GratitudeDraft
from regard.loyalty.radar import last_computed
from regard.web.periods import period_from_query


@login_required
def radar(request):
    agent = agent_of(request.user)
    mine = request.GET.get("mine") == "1"
    rows = queries.drifting(customers_for(request.user), mine=agent if mine else None)
    return render(
        request,
        "loyalty/radar.html",
        {
            "rows": rows,
            "mine": mine,
            "computed_at": last_computed(),
            "can_reply": can(request.user, REPLY),
        },
    )


@login_required
@require_POST
def reach_out(request, customer_id: int):
    customer = customer_for(request.user, customer_id)
    require(request.user, REPLY)
    conversation = drafts.reach_out(agent_of(request.user), customer)
    return redirect("web:conversation", conversation.pk)


def _drafts_for(user):
    agent = agent_of(user)
    visible = GratitudeDraft.objects.filter(customer__in=customers_for(user))
    if not can(user, VIEW_ALL_TEAMS):
        visible = visible.filter(owner=agent)
    return visible.exclude(occasion=Occasion.REACH_OUT)


@login_required
def gratitude(request):
    rows = (
        _drafts_for(request.user)
        .filter(state__in=(DraftState.DRAFT, DraftState.FLAGGED))
        .select_related("customer", "owner")[:200]
    )
    sent = _drafts_for(request.user).filter(state=DraftState.SENT).select_related("customer")[:20]
    return render(
        request,
        "loyalty/gratitude.html",
        {"rows": rows, "sent": sent, "can_reply": can(request.user, REPLY)},
    )


def _draft(user, draft_id) -> GratitudeDraft:
    try:
        return _drafts_for(user).select_related("customer").get(pk=int(draft_id))
    except (GratitudeDraft.DoesNotExist, ValueError):
        raise Http404("No such draft") from None


@login_required
@require_POST
def open_draft(request, draft_id: int):
    require(request.user, REPLY)
    draft = _draft(request.user, draft_id)
    if draft.state not in (DraftState.DRAFT, DraftState.FLAGGED, DraftState.OPENED):
        raise PermissionDenied("this draft is closed")
    conversation = drafts.open_draft(agent_of(request.user), draft)
    return redirect("web:conversation", conversation.pk)


@login_required
@require_POST
def dismiss_draft(request, draft_id: int):
    require(request.user, REPLY)
    draft = _draft(request.user, draft_id)
    drafts.dismiss_draft(agent_of(request.user), draft)
    flash.info(request, f"Draft for {draft.customer.name} dismissed.")
    return redirect("loyalty:gratitude")


@login_required
def advocates(request):
    agent_of(request.user)
    rows = queries.advocates(customers_for(request.user))
    return render(request, "loyalty/advocates.html", {"rows": rows})


@login_required
def kudos(request):
    """The people customers love, per team and period, in the customers' own words."""
    agent_of(request.user)
    period = period_from_query(request.GET, days=90)
    start, end = period.start, period.end
    teams = Team.objects.all()
    team = (
        teams.filter(pk=request.GET.get("team")).first()
        if request.GET.get("team", "").isdigit()
        else None
    )
    rows = queries.loved(period.since, period.until, team)
    return render(
        request,
        "loyalty/kudos.html",
        {"rows": rows, "teams": teams, "team": team, "start": start, "end": end},
    )
