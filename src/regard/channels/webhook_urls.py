"""Provider inbound webhooks (django-anymail verifies each call's signature)."""

from anymail.webhooks.mailgun import MailgunInboundWebhookView
from django.urls import re_path

urlpatterns = [
    re_path(
        r"^mailgun/inbound(_mime)?/$",
        MailgunInboundWebhookView.as_view(),
        name="mailgun_inbound_webhook",
    ),
]
