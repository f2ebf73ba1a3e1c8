"""End to end against real servers: Dovecot over IMAP, SMTP with swaks as the mail client."""

from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from regard.channels.email.imap import STORED_FLAG, collect
from regard.channels.email.smtp import start_receiver
from regard.channels.models import RawMessage
from regard.conversations import actions
from regard.conversations.choices import Delivery, Direction
from regard.conversations.models import Conversation, Message
from regard.conversations.tasks import deliver_message
from tests.channels.mail import make_mail
from tests.channels.servers import (
    MailboxDelivery,
    free_port,
    start_smtp_sink,
    swaks,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def regard_smtp():
    port = free_port()
    controller = start_receiver("127.0.0.1", port, process="now", source="smtp")
    yield port
    controller.stop()


@pytest.fixture
def customer_mail_server(dovecot, settings):
    """Regard's outbound SMTP goes to a server that delivers into the customer's mailbox."""
    controller = start_smtp_sink(MailboxDelivery(dovecot, "customer"))
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield
    controller.stop()


@pytest.fixture(autouse=True)
def attachments_dir(settings, tmp_path):
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"


def test_mail_collected_over_imap_becomes_a_conversation_and_is_flagged(dovecot, mailbox):
    dovecot.append("support", make_mail(subject="Parcel lost", body="Where is parcel 77?"))
    result = collect(mailbox, process="now")
    assert (result.stored, result.duplicates) == (1, 0)
    conversation = Conversation.objects.get()
    assert conversation.subject == "Parcel lost"
    assert "parcel 77" in conversation.messages.get(direction=Direction.INBOUND).text_full
    with dovecot.client("support") as client:
        client.select_folder("INBOX")
        assert client.search(["KEYWORD", STORED_FLAG.decode()])
    assert collect(mailbox, process="now").stored == 0


def test_a_mailbox_repolled_after_a_crash_yields_one_message(dovecot, mailbox):
    dovecot.append("support", make_mail(message_id="crash@example.com"))
    collect(mailbox, process="now")
    with dovecot.client("support") as client:  # the flag was lost in the crash
        client.select_folder("INBOX")
        client.remove_flags(client.search(["ALL"]), [STORED_FLAG])
    result = collect(mailbox, process="now")
    assert (result.stored, result.duplicates) == (0, 1)
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 1
    assert RawMessage.objects.count() == 1


def test_collected_mail_moves_to_the_done_folder(dovecot, mailbox):
    with dovecot.client("support") as client:
        client.create_folder("Stored")
    mailbox.done_folder = "Stored"
    mailbox.save()
    dovecot.append("support", make_mail())
    collect(mailbox, process="now")
    assert dovecot.messages("support") == []
    assert len(dovecot.messages("support", "Stored")) == 1


def customer_reply(
    to_mail: bytes, body: str, *, keep_threading: bool = True, subject: str | None = None
) -> bytes:
    """What a customer's mail client sends when they answer `to_mail`."""
    original = message_from_bytes(to_mail, policy=policy.default)
    reply = EmailMessage()
    reply["From"] = "Zoë Ångström <zoe@example.com>"
    reply["To"] = original["Reply-To"]
    reply["Subject"] = subject or f"Re: {original['Subject']}"
    reply["Message-ID"] = make_msgid(domain="example.com")
    if keep_threading:
        reply["In-Reply-To"] = original["Message-ID"]
        reply["References"] = f"{original.get('References', '')} {original['Message-ID']}".strip()
    reply.set_content(f"{body}\n\nOn Monday, Support wrote:\n> {original.get_content()[:200]}")
    return bytes(reply)


def test_round_trip_over_real_smtp_and_imap_threads_every_way(
    dovecot, regard_smtp, customer_mail_server, agent, tmp_path
):
    first = make_mail(message_id="first@example.com", subject="Broken kettle")
    swaks(regard_smtp, first, tmp_path, sender="zoe@example.com", to="support@localhost")
    conversation = Conversation.objects.get()

    reply = actions.send_reply(agent.user, conversation, "Hi Zoë, a new kettle ships today.")
    deliver_message.call(reply.pk)
    reply.refresh_from_db()
    assert reply.delivery == Delivery.SENT
    [received] = dovecot.messages("customer")
    headers = message_from_bytes(received, policy=policy.default)
    assert headers["Message-ID"] == f"<{reply.external_id}>"
    assert headers["In-Reply-To"] == "<first@example.com>"
    assert "<first@example.com>" in headers["References"]
    assert headers["Reply-To"] == f"support+{conversation.reply_token}@localhost"
    assert f"[#{conversation.pk}]" in headers["Subject"]
    assert "Dana Reyes" in headers["From"]

    swaks(
        regard_smtp,
        customer_reply(received, "Thank you!"),
        tmp_path,
        sender="zoe@example.com",
        to=headers["Reply-To"],
    )
    dropped = customer_reply(received, "It arrived.", keep_threading=False)
    swaks(regard_smtp, dropped, tmp_path, sender="zoe@example.com", to=headers["Reply-To"])
    renamed = customer_reply(received, "One more thing", subject="Kettle lid question")
    swaks(regard_smtp, renamed, tmp_path, sender="zoe@example.com", to=headers["Reply-To"])

    assert Conversation.objects.count() == 1
    inbound = conversation.messages.filter(direction=Direction.INBOUND)
    assert inbound.count() == 4
    newest = inbound.order_by("-created_at").first()
    assert newest.text_new.strip() == "One more thing"


def test_the_same_mail_to_two_support_addresses_is_one_message(regard_smtp, tmp_path):
    mail = make_mail(message_id="both@example.com", to="support@localhost, sales@localhost")
    swaks(regard_smtp, mail, tmp_path, sender="zoe@example.com", to="support@localhost")
    swaks(
        regard_smtp,
        mail.replace(b"To:", b"Delivered-To: sales@localhost\r\nTo:", 1),
        tmp_path,
        sender="zoe@example.com",
        to="sales@localhost",
    )
    assert RawMessage.objects.count() == 2
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 1
    assert Conversation.objects.count() == 1
