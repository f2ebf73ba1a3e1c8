"""The web form's e-mail receipt over real SMTP (aiosmtpd), and the customer's answer to it
threading back into the same conversation through the inbound mail pipeline."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.utils import parseaddr

import pytest

from regard.channels.email.inbound import accept_email
from regard.conversations.choices import Delivery, Direction
from regard.conversations.models import Conversation, Message
from tests.channels.mail import make_mail
from tests.channels.webform import form_data, unique_address, visitor
from tests.factories import make_agent, make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.COMPANY_NAME = "Acme"
    settings.DEFAULT_FROM_EMAIL = "support@acme.example"


def receipts():
    return Message.objects.filter(direction=Direction.OUTBOUND, author__isnull=True)


def send_form(django_capture_on_commit_callbacks, **fields):
    """Post the form and run what it handed to after-commit (the delivery task)."""
    with django_capture_on_commit_callbacks(execute=True):
        response = visitor().post("/contact/", form_data(**fields))
    assert response.status_code == 302
    return Conversation.objects.order_by("-id").first()


def test_the_receipt_travels_over_smtp_and_the_answer_to_it_threads_back(
    smtp, django_capture_on_commit_callbacks
):
    address = unique_address()
    conversation = send_form(
        django_capture_on_commit_callbacks, email=address, message="Lid cracked.\nPlease help."
    )
    [(rcpt, raw)] = smtp.received
    receipt = receipts().get()
    assert receipt.delivery == Delivery.SENT and receipt.conversation == conversation
    mail = message_from_bytes(raw, policy=policy.default)
    assert rcpt == [address]
    assert mail["Message-ID"] == f"<{receipt.external_id}>"
    assert mail["Auto-Submitted"] == "auto-replied"
    assert f"[#{conversation.pk}]" in mail["Subject"]
    assert parseaddr(mail["From"])[1] == "support@acme.example"
    body = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert body.startswith("Hi Zoë,")
    assert f"conversation #{conversation.pk}" in body
    assert "> Lid cracked.\n> Please help." in body

    answer = make_mail(
        sender=f"Zoë Ångström <{address}>",
        to=str(mail["Reply-To"]),
        subject=f"Re: {mail['Subject']}",
        in_reply_to=receipt.external_id,
        references=[receipt.external_id],
        body="Also, the box was wet.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        accept_email(answer, source="support@acme.example", process="now", live=True)
    assert Conversation.objects.count() == 1
    inbound = conversation.messages.filter(direction=Direction.INBOUND).order_by("id")
    assert [m.channel for m in inbound] == ["web", "email"]
    assert inbound.last().text_new.strip() == "Also, the box was wet."
    assert receipts().count() == 1, "an answer in a known thread is not acknowledged again"


def test_a_reply_by_subject_token_alone_also_threads(django_capture_on_commit_callbacks):
    address = unique_address()
    conversation = send_form(django_capture_on_commit_callbacks, email=address)
    answer = make_mail(
        sender=address, subject=f"Re: anything [#{conversation.pk}]", body="One more thing"
    )
    accept_email(answer, process="now", live=False)
    assert Conversation.objects.count() == 1
    assert conversation.messages.filter(direction=Direction.INBOUND).count() == 2


def test_the_receipt_greets_by_preferred_name_and_names_the_person_who_answers(
    django_capture_on_commit_callbacks,
):
    from django.core import mail as outbox

    address = unique_address()
    dana = make_agent("dana", display_name="Dana Reyes")
    make_customer(address, "Zoë Ångström", preferred_name="Zo", owner=dana)
    send_form(django_capture_on_commit_callbacks, email=address)
    [sent] = outbox.outbox
    assert sent.body.startswith("Hi Zo,")
    assert "Dana Reyes will read it" in sent.body
    assert sent.extra_headers["Auto-Submitted"] == "auto-replied"


def test_no_receipt_once_the_automatic_mail_cap_is_reached(
    settings, django_capture_on_commit_callbacks
):
    from django.core import mail as outbox

    settings.AUTOMATIC_MAIL_PER_HOUR = 0
    conversation = send_form(django_capture_on_commit_callbacks)
    assert not receipts().exists() and outbox.outbox == []
    assert conversation.events.filter(kind="message.auto_capped").exists()
    assert conversation.messages.filter(direction=Direction.INBOUND).count() == 1


def test_a_honeypot_submission_sends_no_mail(django_capture_on_commit_callbacks):
    from django.core import mail as outbox

    with django_capture_on_commit_callbacks(execute=True):
        visitor().post("/contact/", form_data(website="x"))
    assert outbox.outbox == [] and not Message.objects.exists()
