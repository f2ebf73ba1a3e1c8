"""Many mails in one transaction: each stands alone, none half-stored, none acknowledged early."""

import pytest

from regard.channels.email import imap, store
from regard.channels.email.inbound import accept_emails
from regard.channels.models import Mailbox, RawMessage, RawState
from regard.conversations.choices import Direction
from regard.conversations.models import Conversation, Message
from regard.customers.models import Customer
from tests.channels.mail import make_mail

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def attachments_dir(settings, tmp_path):
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"


class Crash(BaseException):
    """Like the process being killed: not an error the pipeline is meant to handle."""


def accept(mails):
    return accept_emails([(data, "support@localhost") for data in mails], process="now", live=False)


@pytest.fixture
def explode_on(monkeypatch):
    """Make filing fail for mails with a given subject after their conversation and message are
    written, so a failure that only rolled back part of a message would leave rows behind."""

    original = store._add_participants

    def install(subject: str, error: BaseException):
        def failing(conversation, parsed, exclude):
            if parsed.subject == subject:
                raise error
            return original(conversation, parsed, exclude)

        monkeypatch.setattr(store, "_add_participants", failing)

    return install


def test_a_bad_message_in_a_batch_is_flagged_and_the_rest_land(explode_on):
    explode_on("boom", RuntimeError("filing failed"))
    mails = [
        make_mail(sender="ana@example.com", subject="First"),
        make_mail(sender="ben@example.com", subject="boom"),
        b"Subject: no sender at all\r\n\r\nhi",
        make_mail(sender="cleo@example.com", subject="Last"),
    ]
    results = accept(mails)
    states = [result.raw.state for result in results]
    assert states == [RawState.PROCESSED, RawState.FAILED, RawState.FAILED, RawState.PROCESSED]
    assert all(result.created for result in results)
    assert "RuntimeError: filing failed" in results[1].raw.error
    assert "sender" in results[2].raw.error
    # The failed ones are kept byte for byte; nothing else of theirs was stored.
    for result, data in zip(results, mails, strict=True):
        assert bytes(RawMessage.objects.get(pk=result.raw.pk).data) == data
    assert sorted(Conversation.objects.values_list("subject", flat=True)) == ["First", "Last"]
    assert Message.objects.count() == 2
    assert not Customer.objects.filter(identities__value="ben@example.com").exists()


def test_a_crash_mid_batch_stores_nothing_and_a_second_run_stores_everything(explode_on):
    mails = [make_mail(subject=f"Mail {n}", sender=f"c{n}@example.com") for n in range(3)]
    explode_on("Mail 1", Crash())
    with pytest.raises(Crash):
        accept(mails)
    assert not RawMessage.objects.exists()
    assert not Message.objects.exists() and not Customer.objects.exists()

    explode_on("nothing matches", RuntimeError())
    results = accept(mails)
    assert [result.raw.state for result in results] == [RawState.PROCESSED] * 3
    assert Message.objects.count() == 3


def test_duplicates_within_a_batch_are_one_record_and_one_message():
    data = make_mail(message_id="same@example.com")
    other_mailbox = data.replace(b"To: support@localhost", b"To: sales@localhost")
    results = accept([data, data, other_mailbox])
    assert [result.created for result in results] == [True, False, True]
    assert results[1].raw.pk == results[0].raw.pk
    assert RawMessage.objects.count() == 2
    assert Message.objects.count() == 1
    again = accept([data])
    assert not again[0].created and again[0].raw.pk == results[0].raw.pk


def test_a_reply_before_its_parent_in_the_same_batch_ends_in_one_conversation():
    reply = make_mail(
        subject="Re: Late", message_id="reply@example.com", in_reply_to="parent@example.com"
    )
    parent = make_mail(subject="Late", message_id="parent@example.com")
    follow_up = make_mail(
        subject="Re: Late",
        message_id="third@example.com",
        references=["parent@example.com", "reply@example.com"],
    )
    accept([reply, parent, follow_up])
    assert Conversation.objects.count() == 1
    assert Message.objects.filter(conversation=Conversation.objects.get()).count() == 3


class FakeIMAP:
    """The calls `collect` makes, recorded; three messages waiting in the folder."""

    def __init__(self, mails):
        self.mails = dict(enumerate(mails, 1))
        self.flagged = []

    def select_folder(self, folder):
        pass

    def search(self, criteria):
        return list(self.mails)

    def fetch(self, uids, parts):
        return {uid: {b"BODY[]": self.mails[uid]} for uid in uids}

    def add_flags(self, uids, flags):
        self.flagged += uids

    def has_capability(self, name):
        return False


def test_imap_flags_a_batch_only_after_it_is_committed(explode_on):
    mailbox = Mailbox.objects.create(name="support", address="support@localhost", host="x")
    mails = [make_mail(subject=f"Mail {n}", sender=f"c{n}@example.com") for n in range(3)]
    client = FakeIMAP(mails)
    explode_on("Mail 2", Crash())
    with pytest.raises(Crash):
        imap.collect(mailbox, client=client, process="now")
    assert client.flagged == [] and not RawMessage.objects.exists()

    explode_on("nothing matches", RuntimeError())
    collected = imap.collect(mailbox, client=client, process="now")
    assert collected.stored == 3 and client.flagged == [1, 2, 3]
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 3


def test_a_message_the_parser_cannot_read_is_flagged_and_the_batch_goes_on(monkeypatch):
    from regard.channels.email import inbound

    original = inbound.parse_message

    def parse(data):
        if b"unparseable" in data:
            raise ValueError("the parser gave up")
        return original(data)

    monkeypatch.setattr(inbound, "parse_message", parse)
    mails = [
        make_mail(sender="ana@example.com", subject="unparseable"),
        make_mail(sender="ben@example.com", subject="Fine"),
    ]
    first, second = accept(mails)
    assert first.raw.state == RawState.FAILED
    assert "ValueError: the parser gave up" in first.raw.error
    assert bytes(RawMessage.objects.get(pk=first.raw.pk).data) == mails[0]
    assert second.raw.state == RawState.PROCESSED
    assert list(Conversation.objects.values_list("subject", flat=True)) == ["Fine"]


def test_a_policy_made_between_batches_applies_to_the_next_batch():
    from regard.service.models import ServiceClock
    from tests.service.conftest import policy

    accept([make_mail(sender="ana@example.com", subject="Before")])
    assert not ServiceClock.objects.exists()
    policy()
    accept([make_mail(sender="ben@example.com", subject="After")])
    after = Conversation.objects.get(subject="After")
    assert ServiceClock.objects.filter(conversation=after).count() == 2


def test_a_batch_reads_the_workspace_settings_once():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from regard.service.models import Policy

    mails = [make_mail(sender=f"p{i}@example.com", subject=f"Mail {i}") for i in range(5)]
    with CaptureQueriesContext(connection) as batch:
        accept(mails)
    policies = [q for q in batch.captured_queries if Policy._meta.db_table in q["sql"]]
    assert len(policies) == 1
