"""What customers type into the portal: an address, a reply, their preferences."""

from __future__ import annotations

from django import forms
from django.conf import global_settings

from regard.customers.choices import Channel

MAX_REPLY = 20_000


class LinkRequestForm(forms.Form):
    email = forms.EmailField(label="Your e-mail address", max_length=320)


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="Your reply",
        max_length=MAX_REPLY,
        widget=forms.Textarea(attrs={"rows": 6}),
        strip=True,
    )


class PreferencesForm(forms.Form):
    preferred_name = forms.CharField(
        label="What should we call you?", max_length=120, required=False
    )
    language = forms.ChoiceField(
        label="Language",
        required=False,
        choices=[("", "No preference"), *global_settings.LANGUAGES],
    )
    preferred_channel = forms.ChoiceField(
        label="How should we reach you?",
        required=False,
        choices=[("", "No preference"), *Channel.choices],
    )
    no_surveys = forms.BooleanField(label="No surveys, please", required=False)
    no_marketing = forms.BooleanField(label="No marketing, please", required=False)
