"""Forms only validate; the views hand cleaned data to actions."""

from __future__ import annotations

from django import forms

from regard.accounts.models import Agent
from regard.incidents.choices import OPEN_STATUSES, IncidentStatus, Severity

LOCAL = "%Y-%m-%dT%H:%M"


class When(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL)


class IncidentForm(forms.Form):
    title = forms.CharField(max_length=200)
    public_text = forms.CharField(
        label="What customers see", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    internal_notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    severity = forms.TypedChoiceField(choices=Severity.choices, coerce=int, initial=Severity.MAJOR)
    owner = forms.ModelChoiceField(queryset=Agent.objects.all(), required=False)
    next_update_due_at = When(label="Next update due by", required=False)


class DeclareForm(IncidentForm):
    status = forms.ChoiceField(
        choices=[(s.value, s.label) for s in OPEN_STATUSES], initial=IncidentStatus.INVESTIGATING
    )


class UpdateForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}))
    status = forms.ChoiceField(choices=IncidentStatus.choices)
    next_update_due_at = When(label="Next update due by", required=False)
    solve_conversations = forms.BooleanField(
        label="Mark linked conversations solved", required=False
    )
    confirmed_recipients = forms.IntegerField(required=False, min_value=0)
