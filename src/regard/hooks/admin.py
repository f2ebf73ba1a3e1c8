from django import forms
from django.contrib import admin

from regard.hooks.guard import Refused, check_url
from regard.hooks.models import Webhook, WebhookDelivery


class WebhookForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")

    class Meta:
        model = Webhook
        fields = ["name", "url", "events", "active"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            check_url(url)
        except Refused as exc:
            raise forms.ValidationError(str(exc)) from None
        return url


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    """Admins add and change receivers; the secret is made once and shown for the receiver."""

    form = WebhookForm
    list_display = ["name", "url", "active", "last_delivered_at", "last_error"]
    list_filter = ["active"]
    readonly_fields = ["secret", "created_at", "last_delivered_at", "last_error"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """What was sent where, and how it went: a record, so nobody edits it."""

    list_display = ["created_at", "webhook", "kind", "state", "attempts", "response_status"]
    list_filter = ["state", "kind", "webhook"]
    list_select_related = ["webhook"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
