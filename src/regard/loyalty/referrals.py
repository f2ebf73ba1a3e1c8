"""Someone a customer sent to us writes in: they become a customer who was referred."""

from __future__ import annotations

from django import forms

from regard.conversations.actions import open_conversation, receive_message
from regard.customers.actions import resolve_customer
from regard.customers.choices import Channel, IdentityKind


class ReferralForm(forms.Form):
    name = forms.CharField(max_length=120)
    email = forms.EmailField()
    message = forms.CharField(widget=forms.Textarea, max_length=5000)


def welcome_referral(referrer, *, name: str, email: str, message: str):
    """Their conversation starts as a web-form message; a new customer remembers the referrer."""
    resolved = resolve_customer(IdentityKind.EMAIL, email, name)
    identity, customer = resolved.identity, resolved.customer
    # Only a newcomer was referred: a link must not rewrite who brought an existing customer.
    if resolved.created:
        customer.referred_by = referrer
        customer.save(update_fields=["referred_by", "updated_at"])
    conversation = open_conversation(
        None, customer, subject=f"Referred by {referrer.name}", channel=Channel.WEB
    )
    return receive_message(
        conversation, text_full=message, sender=identity, channel=Channel.WEB, subject=""
    )
