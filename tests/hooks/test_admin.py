"""Admins manage webhooks in the admin; a refused URL is explained there, before it is saved."""

from __future__ import annotations

import pytest

from regard.hooks.models import Webhook, WebhookDelivery


@pytest.fixture
def admin_client(client, admin_agent, settings):
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_ALLOWED_HOSTS = []
    client.force_login(admin_agent.user)
    return client


def test_an_admin_adds_a_webhook_and_gets_a_secret_to_give_the_receiver(admin_client):
    response = admin_client.post(
        "/admin/hooks/webhook/add/",
        {"name": "CRM", "url": "https://93.184.216.34/hook", "events": "[]", "active": "on"},
    )
    assert response.status_code == 302, response.content
    webhook = Webhook.objects.get()
    assert len(webhook.secret) >= 40
    page = admin_client.get(f"/admin/hooks/webhook/{webhook.pk}/change/").content.decode()
    assert webhook.secret in page
    assert 'name="secret"' not in page  # shown, never edited


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://localhost/hook", "this machine"),
        ("http://93.184.216.34/hook", "only https"),
    ],
)
def test_a_webhook_to_a_refused_address_is_not_saved(admin_client, url, reason):
    response = admin_client.post(
        "/admin/hooks/webhook/add/", {"name": "Sneaky", "url": url, "events": "[]"}
    )
    assert response.status_code == 200 and reason in response.content.decode()
    assert not Webhook.objects.exists()


def test_deliveries_are_a_record_admins_read_but_do_not_change(admin_client):
    webhook = Webhook.objects.create(name="CRM", url="https://93.184.216.34/hook")
    delivery = WebhookDelivery.objects.create(webhook=webhook, kind="message.noted")
    assert admin_client.get("/admin/hooks/webhookdelivery/").status_code == 200
    assert admin_client.get("/admin/hooks/webhookdelivery/add/").status_code == 403
    page = admin_client.get(f"/admin/hooks/webhookdelivery/{delivery.pk}/change/")
    assert page.status_code == 200 and b'type="submit" value="Save"' not in page.content
