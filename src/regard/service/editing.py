"""Admins edit policies and calendars in the workspace (the Django admin offers the same)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render

from regard.accounts.access import require
from regard.accounts.permissions import ADMINISTER
from regard.service import actions
from regard.service.forms import CalendarForm, PolicyForm
from regard.service.models import BusinessCalendar, Policy


@login_required
def edit_policy(request, policy_id: int | None = None):
    require(request.user, ADMINISTER)
    policy = get_object_or_404(Policy, pk=policy_id) if policy_id else Policy()
    form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        actions.save_policy(request.user, form.instance)
        flash.success(request, f"Policy “{form.instance.name}” saved.")
        return redirect("service:policies")
    return render(
        request,
        "service/edit.html",
        {"form": form, "what": "policy", "title": policy.name or "New policy"},
        status=400 if form.errors else 200,
    )


@login_required
def edit_calendar(request, calendar_id: int | None = None):
    require(request.user, ADMINISTER)
    calendar = (
        get_object_or_404(BusinessCalendar, pk=calendar_id) if calendar_id else BusinessCalendar()
    )
    form = CalendarForm(request.POST or None, instance=calendar)
    if request.method == "POST" and form.is_valid():
        actions.save_calendar(request.user, form.instance, form.cleaned_data["holidays"])
        flash.success(request, f"Calendar “{form.instance.name}” saved.")
        return redirect("service:policies")
    return render(
        request,
        "service/edit.html",
        {"form": form, "what": "calendar", "title": calendar.name or "New calendar"},
        status=400 if form.errors else 200,
    )
