"""The inbound pipeline: nothing lost, nothing doubled, every reply in its conversation."""

import pytest
from django.core import mail as outbox

from regard.channels.email.inbound import accept_email
from regard.channels.models import Mailbox, RawMessage, RawState
from regard.conversations import actions
from regard.conversations.choices import Delivery, Direction, Status
from regard.conversations.delivery import deliver
from regard.conversations.models import Attachment, Conversation, Message
from regard.conversations.storage import blob_path
from regard.customers.models import Customer, Identity
from tests.channels.mail import bounce_for, make_mail

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def attachments_dir(settings, tmp_path):
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def ingest(data: bytes, source: str = "support@localhost", live: bool = False):
    return accept_email(data, source=source, process="now", live=live).raw


@pytest.mark.parametrize("data", [b"", b"\x00\xff" * 100, b"Subject: no sender\r\n\r\nhi"])
def test_unfileable_input_is_kept_raw_and_flagged(data):
    raw = ingest(data)
    raw.refresh_from_db()
    assert raw.state == RawState.FAILED
    assert bytes(raw.data) == data
    assert "sender" in raw.error
    assert not Message.objects.exists()


def test_an_oversized_message_is_kept_and_flagged_not_parsed(settings):
    settings.MAX_MESSAGE_BYTES = 1000
    raw = ingest(make_mail(body="x" * 5000))
    assert raw.state == RawState.QUARANTINED
    assert "over the limit" in raw.error and "REGARD_MAX_MESSAGE_BYTES" in raw.error
    assert not Conversation.objects.exists()


def test_a_new_mail_becomes_a_conversation_with_its_customer():
    raw = ingest(make_mail(body="Hello,\n\nmy parcel is late.\n\n-- \nZoë"))
    assert raw.state == RawState.PROCESSED
    message = Message.objects.get()
    assert message.raw == raw and message.direction == Direction.INBOUND
    assert message.conversation.customer.display_name == "Zoë Ångström"
    assert message.conversation.subject == "My order has not arrived"
    assert message.sender_address == "zoe@example.com"


def test_the_same_bytes_twice_are_one_record_and_one_message():
    data = make_mail()
    first = accept_email(data, process="now", live=False)
    second = accept_email(data, process="now", live=False)
    assert first.created and not second.created
    assert RawMessage.objects.count() == 1 and Message.objects.count() == 1


def test_the_same_message_id_through_two_mailboxes_is_one_message():
    ingest(make_mail(message_id="m1@example.com", to="support@localhost"), "support")
    ingest(make_mail(message_id="m1@example.com", to="sales@localhost"), "sales")
    assert RawMessage.objects.count() == 2
    assert Message.objects.count() == 1


def test_a_reply_to_our_reply_threads_by_its_headers(agent):
    ingest(make_mail(message_id="q1@example.com"))
    conversation = Conversation.objects.get()
    reply = actions.send_reply(agent.user, conversation, "Hi Zoë, I'll check today.")
    deliver(reply)
    sent = outbox.outbox[-1]
    assert sent.extra_headers["Message-ID"] == f"<{reply.external_id}>"
    assert sent.extra_headers["In-Reply-To"] == "<q1@example.com>"
    assert f"[#{conversation.pk}]" in sent.subject
    assert sent.reply_to == [f"support+{conversation.reply_token}@localhost"]
    ingest(
        make_mail(
            subject="Re: anything",
            in_reply_to=reply.external_id,
            references=["q1@example.com", reply.external_id],
        )
    )
    assert Conversation.objects.count() == 1
    assert conversation.messages.filter(direction=Direction.INBOUND).count() == 2


def test_a_reply_without_threading_headers_finds_the_reply_address():
    ingest(make_mail())
    conversation = Conversation.objects.get()
    ingest(
        make_mail(
            subject="totally new subject",
            to=f"Support <support+{conversation.reply_token}@localhost>",
        )
    )
    assert Conversation.objects.count() == 1


def test_a_ticket_number_in_the_subject_threads_only_for_its_own_customer():
    ingest(make_mail())
    conversation = Conversation.objects.get()
    ingest(make_mail(subject=f"Re: changed subject [#{conversation.pk}]"))
    assert Conversation.objects.count() == 1
    ingest(make_mail(sender="mallory@evil.example", subject=f"Hijack [#{conversation.pk}]"))
    assert Conversation.objects.count() == 2


def test_a_reply_processed_before_its_parent_ends_in_the_same_conversation():
    ingest(
        make_mail(
            message_id="child@example.com",
            in_reply_to="parent@example.com",
            references=["root@example.com", "parent@example.com"],
            subject="Re: x",
        )
    )
    ingest(
        make_mail(
            message_id="parent@example.com",
            in_reply_to="root@example.com",
            references=["root@example.com"],
            subject="Re: x",
        )
    )
    ingest(make_mail(message_id="root@example.com", subject="x"))
    assert Conversation.objects.count() == 1
    assert Message.objects.count() == 3


def test_a_reply_reopens_a_solved_conversation_and_a_closed_one_gets_a_follow_up(agent):
    ingest(make_mail(message_id="a@example.com"))
    conversation = Conversation.objects.get()
    actions.change_status(agent.user, conversation, Status.SOLVED)
    ingest(make_mail(message_id="b@example.com", in_reply_to="a@example.com"))
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN
    actions.change_status(agent.user, conversation, Status.SOLVED)
    actions.change_status(agent.user, conversation, Status.CLOSED)
    ingest(make_mail(message_id="c@example.com", in_reply_to="b@example.com"))
    follow_up = Conversation.objects.exclude(pk=conversation.pk).get()
    assert follow_up.linked_from == conversation


def test_cc_addresses_become_participants_but_never_our_own():
    ingest(make_mail(cc="Bob <bob@example.com>, support@localhost"))
    conversation = Conversation.objects.get()
    assert [i.value for i in conversation.participants.all()] == ["bob@example.com"]


def test_attachments_are_stored_once_by_content_and_blocked_types_flagged():
    pdf = b"%PDF-1.4 invoice"
    ingest(
        make_mail(
            attachments=[
                ("invoice.pdf", "application/pdf", pdf),
                ("setup.exe", "application/octet-stream", b"MZ\x90\x00"),
            ]
        )
    )
    ingest(make_mail(attachments=[("copy.pdf", "application/pdf", pdf)]))
    pdfs = Attachment.objects.filter(content_type="application/pdf")
    assert pdfs.count() == 2 and len({a.sha256 for a in pdfs}) == 1
    assert blob_path(pdfs[0].sha256).read_bytes() == pdf
    assert Attachment.objects.get(filename="setup.exe").blocked


def test_a_bounce_marks_the_reply_failed_and_the_address_bouncing(agent):
    ingest(make_mail())
    conversation = Conversation.objects.get()
    reply = actions.send_reply(agent.user, conversation, "Hi Zoë, here is the tracking code.")
    raw = ingest(bounce_for(reply.external_id, "zoe@example.com"))
    reply.refresh_from_db()
    assert raw.state == RawState.PROCESSED, raw.error
    assert raw.kind == "bounce" and raw.conversation == conversation
    assert reply.delivery == Delivery.FAILED and "Bounced" in reply.delivery_error
    assert Identity.objects.get(value="zoe@example.com").bouncing
    assert Conversation.objects.count() == 1
    assert Customer.objects.count() == 1


def test_an_unmatched_bounce_is_kept_as_system_mail():
    raw = ingest(bounce_for("unknown@localhost", "someone@example.com"))
    assert raw.kind == "bounce" and raw.conversation is None and raw.state == RawState.PROCESSED
    assert not Conversation.objects.exists()


def test_an_out_of_office_reply_joins_its_conversation_as_a_quiet_note(agent):
    ingest(make_mail(message_id="q@example.com"))
    conversation = Conversation.objects.get()
    reply = actions.send_reply(agent.user, conversation, "Hi!", status=Status.PENDING)
    ingest(
        make_mail(
            subject="Out of Office: Re: order",
            in_reply_to=reply.external_id,
            headers={"Auto-Submitted": "auto-replied"},
            body="I am away until Monday.",
        )
    )
    conversation.refresh_from_db()
    assert conversation.status == Status.PENDING and conversation.waiting_since is None
    note = conversation.messages.get(direction=Direction.NOTE)
    assert "I am away until Monday." in note.text_full
    unthreaded = ingest(
        make_mail(subject="Automatic reply", headers={"Auto-Submitted": "auto-replied"})
    )
    assert unthreaded.kind == "auto_reply" and unthreaded.conversation is None
    assert Conversation.objects.count() == 1


def acknowledgements():
    return Message.objects.filter(direction=Direction.OUTBOUND, author__isnull=True)


def test_a_new_live_conversation_is_acknowledged_personally_and_marked_automatic():
    ingest(make_mail(), live=True)
    ack = acknowledgements().get()
    assert ack.text_full.startswith("Hi Zoë,")
    assert "My order has not arrived" in ack.text_full
    conversation = ack.conversation
    assert conversation.waiting_since is not None and conversation.first_reply_at is None
    deliver(ack)
    sent = outbox.outbox[-1]
    assert sent.extra_headers["Auto-Submitted"] == "auto-replied"


@pytest.mark.parametrize(
    "mail",
    [
        make_mail(headers={"Auto-Submitted": "auto-replied"}, subject="Automatic reply"),
        make_mail(headers={"Precedence": "bulk", "List-Id": "<news.example.com>"}),
        make_mail(sender="no-reply@shop.example"),
    ],
    ids=["auto-reply", "bulk", "no-reply sender"],
)
def test_no_acknowledgement_to_robots(mail):
    ingest(mail, live=True)
    assert not acknowledgements().exists()


def test_an_import_without_live_sends_nothing():
    ingest(make_mail(), live=False)
    assert Conversation.objects.count() == 1 and not acknowledgements().exists()


def test_a_mailbox_can_switch_acknowledgements_off():
    Mailbox.objects.create(
        name="quiet",
        address="quiet@localhost",
        host="127.0.0.1",
        username="q",
        password="q",
        auto_acknowledge=False,
    )
    ingest(make_mail(), source="quiet", live=True)
    assert not acknowledgements().exists()


def test_automatic_mail_to_one_customer_is_capped(settings):
    settings.AUTOMATIC_MAIL_PER_HOUR = 3
    for n in range(5):
        ingest(make_mail(subject=f"Problem {n}"), live=True)
    assert Conversation.objects.count() == 5
    assert acknowledgements().count() == 3
    held_back = Conversation.objects.filter(events__kind="message.auto_capped")
    assert held_back.count() == 2


def test_admins_are_told_once_an_hour_when_the_cap_holds_mail_back(settings, admin_agent, agent):
    from regard.accounts.models import Notification

    settings.AUTOMATIC_MAIL_PER_HOUR = 1
    for n in range(4):
        ingest(make_mail(subject=f"Problem {n}"), live=True)
    told = Notification.objects.filter(kind="automatic_mail_capped")
    assert [n.recipient for n in told] == [admin_agent]  # admins only, once for this customer
    assert "held back: 1 an hour reached" in told.get().text
    assert told.get().url.startswith("/conversations/")
    ingest(make_mail(subject="Other", sender="someone.else@example.com"), live=True)
    ingest(make_mail(subject="Other again", sender="someone.else@example.com"), live=True)
    assert told.all().count() == 2  # another customer: a notification of its own


def test_two_helpdesks_answering_each_other_stop_at_once():
    ingest(make_mail(), live=True)
    deliver(acknowledgements().get())
    our_ack = outbox.outbox[-1].message().as_bytes()
    other = ingest(our_ack, live=True)  # the other helpdesk receives our acknowledgement
    assert other.kind == "auto_reply"
    assert acknowledgements().count() == 1


def test_the_same_matter_twice_minutes_apart_is_suggested_for_merging(agent):
    ingest(make_mail(subject="Broken kettle"))
    ingest(make_mail(subject="RE: broken kettle", body="Also the lid is missing"))
    first, second = Conversation.objects.order_by("id")
    suggestion = second.events.get(kind="conversation.merge_suggested")
    assert suggestion.data["other_id"] == first.pk
    assert "same customer and subject" in suggestion.data["reason"]
    actions.merge_conversations(agent.user, second, first)
    second.refresh_from_db()
    assert second.status == Status.CLOSED and second.linked_from == first
    assert first.messages.filter(direction=Direction.INBOUND).count() == 2


def test_different_customers_are_never_suggested_or_merged(agent):
    ingest(make_mail(subject="Broken kettle"))
    ingest(make_mail(subject="Broken kettle", sender="bob@example.com"))
    first, second = Conversation.objects.order_by("id")
    assert not second.events.filter(kind="conversation.merge_suggested").exists()
    with pytest.raises(ValueError, match="same customer"):
        actions.merge_conversations(agent.user, second, first)


def test_a_reply_that_fails_for_good_leaves_a_note_for_the_agent(agent, settings):
    from regard.conversations.tasks import deliver_message

    settings.TASK_BACKOFF_SECONDS = 0
    customer_conversation = ingest(make_mail()).conversation
    Identity.objects.update(bouncing=True)
    reply = actions.send_reply(agent.user, customer_conversation, "Hi Zoë!")
    for attempt in range(1, 6):
        with pytest.raises(Exception, match="no working e-mail address"):
            deliver_message.call(reply.pk, _attempt=attempt)
    reply.refresh_from_db()
    assert reply.delivery == Delivery.FAILED
    note = customer_conversation.messages.filter(direction=Direction.NOTE).get()
    assert "could not be delivered" in note.text_full
    assert customer_conversation.events.filter(kind="message.failed").count() == 1


def test_a_subject_with_line_breaks_cannot_forge_headers_in_our_reply(agent):
    conversation = ingest(
        make_mail(subject="=?utf-8?q?Hi=0D=0ABcc=3A_victim=40example=2Ecom?=")
    ).conversation
    assert "\n" not in conversation.subject and "\r" not in conversation.subject
    reply = actions.send_reply(agent.user, conversation, "Hello!")
    deliver(reply)
    sent = outbox.outbox[-1].message().as_bytes()
    assert b"\nBcc:" not in sent and "victim@example.com" not in outbox.outbox[-1].bcc
