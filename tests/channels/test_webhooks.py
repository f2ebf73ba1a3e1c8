"""Inbound mail from a provider webhook: signature verified, then the same pipeline."""

import hashlib
import hmac
import time

import pytest

from regard.channels.models import RawMessage
from regard.conversations.models import Conversation
from tests.channels.mail import make_mail

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.channels.webhook_urls")]
KEY = "key-for-tests-only"
URL = "/inbound/mailgun/inbound_mime/"


@pytest.fixture(autouse=True)
def signing_key(settings, tmp_path):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": KEY}
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"


def signed(fields: dict, key: str = KEY) -> dict:
    timestamp, token = str(int(time.time())), "a" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {**fields, "timestamp": timestamp, "token": token, "signature": signature}


def test_a_wrong_signature_is_refused_and_nothing_is_stored(client):
    mime = make_mail().decode()
    response = client.post(URL, signed({"body-mime": mime}, key="wrong-key"))
    assert response.status_code == 400
    assert not RawMessage.objects.exists()


def test_a_missing_signature_is_refused(client):
    response = client.post(URL, {"body-mime": make_mail().decode()})
    assert response.status_code == 400
    assert not RawMessage.objects.exists()


def test_a_signed_inbound_mail_is_stored_and_becomes_a_conversation(
    client, django_capture_on_commit_callbacks
):
    mime = make_mail(subject="Webhook hello", body="Sent through the provider").decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, signed({"body-mime": mime}))
    assert response.status_code == 200
    raw = RawMessage.objects.get()
    assert raw.source == "webhook:Mailgun"
    from regard.channels.tasks import process_raw_message

    process_raw_message.call(raw.pk)
    assert Conversation.objects.get().subject == "Webhook hello"
