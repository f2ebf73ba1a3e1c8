"""The URL map with provider webhooks switched on, as REGARD_MAILGUN_WEBHOOK_SIGNING_KEY does."""

from django.urls import include, path

from regard.urls import urlpatterns as regard_urls

urlpatterns = [path("inbound/", include("regard.channels.webhook_urls")), *regard_urls]
