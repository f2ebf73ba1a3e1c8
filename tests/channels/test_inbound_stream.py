"""`accept_stream`: a long stream filed a batch at a time, the next batch read in a helper
process meanwhile; whatever the helper does, every mail is stored and filed as `accept_emails`
would file it."""

import os

import pytest

from regard.channels.email import inbound
from regard.channels.email.inbound import accept_stream
from regard.channels.models import RawMessage, RawState
from regard.conversations.models import Conversation, Message
from regard.insight.emotion import analyze
from tests.channels.mail import make_mail

pytestmark = pytest.mark.django_db
PARENT = os.getpid()


@pytest.fixture(autouse=True)
def attachments_dir(settings, tmp_path):
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"


@pytest.fixture
def reader_pid(monkeypatch):
    """Mails with the subject "whoami" fail to parse with the reading process's id as error."""
    original = inbound.parse_message

    def parse(data):
        if b"Subject: whoami" in data:
            raise ValueError(f"read in process {os.getpid()}")
        return original(data)

    monkeypatch.setattr(inbound, "parse_message", parse)

    def pids() -> set[int]:
        errors = RawMessage.objects.filter(error__contains="read in process")
        return {
            int(e.split("read in process ")[1].split()[0])
            for e in errors.values_list("error", flat=True)
        }

    return pids


def stream(mails, size=3):
    return list(accept_stream(((m, "support@localhost") for m in mails), size=size, live=False))


def test_a_stream_files_every_batch_as_one_batch_would(reader_pid):
    parent = make_mail(subject="Late", message_id="p@example.com")
    angry = "This is the THIRD time I write. Absolutely unacceptable, I want a refund now!"
    mails = [
        make_mail(subject="Re: Late", message_id="reply@example.com", in_reply_to="p@example.com"),
        make_mail(sender="ana@example.com", subject="Angry", body=angry),
        make_mail(sender="ben@example.com", subject="whoami"),
        parent,  # a batch after its reply
        make_mail(sender="cleo@example.com", subject="Calm", body="Could you send the invoice?"),
        parent,  # the same bytes again
        b"Subject: no sender at all\r\n\r\nhi",
    ]
    batches = stream(mails)

    assert [len(batch) for batch, _ in batches] == [3, 3, 1]
    assert [mail for batch, _ in batches for mail, _ in batch] == mails  # in order, as given
    results = [result for _, found in batches for result in found]
    assert [r.created for r in results] == [True] * 5 + [False, True]
    states = [r.raw.state for r in results]
    expected = [RawState.PROCESSED, RawState.PROCESSED, RawState.FAILED, RawState.PROCESSED]
    assert states == [*expected, RawState.PROCESSED, RawState.PROCESSED, RawState.FAILED]
    for result, data in zip(results, mails, strict=True):
        assert bytes(RawMessage.objects.get(pk=result.raw.pk).data) == data
    # The reply that came first and its parent are one conversation.
    late = Conversation.objects.get(subject="Re: Late")
    assert Message.objects.filter(conversation=late).count() == 2
    # The emotion read in the helper is the one stored.
    message = Message.objects.get(subject="Angry")
    assert message.emotion == analyze(angry).label
    assert message.emotion in {"angry", "frustrated"} and message.complaint
    assert Conversation.objects.get(subject="Angry").upset
    # Read in another process when there is a core to spare.
    if (os.cpu_count() or 1) > 1:
        assert reader_pid() and PARENT not in reader_pid()


def test_with_one_core_the_stream_reads_in_this_process(reader_pid, monkeypatch):
    monkeypatch.setattr(inbound.os, "cpu_count", lambda: 1)
    mails = [make_mail(sender=f"c{n}@example.com", subject="whoami") for n in range(2)]
    mails.append(make_mail(sender="dan@example.com", subject="Fine"))
    stream(mails, size=2)
    assert reader_pid() == {PARENT}
    assert Conversation.objects.get().subject == "Fine"


def test_a_reading_helper_that_dies_loses_nothing(monkeypatch):
    original = inbound.parse_message

    def parse(data):
        if os.getpid() != PARENT:
            os._exit(3)  # killed mid-batch (out of memory, a signal)
        return original(data)

    monkeypatch.setattr(inbound, "parse_message", parse)
    mails = [make_mail(sender=f"c{n}@example.com", subject=f"Mail {n}") for n in range(5)]
    results = [r for _, found in stream(mails, size=2) for r in found]
    assert [r.raw.state for r in results] == [RawState.PROCESSED] * 5
    assert sorted(Conversation.objects.values_list("subject", flat=True)) == [
        f"Mail {n}" for n in range(5)
    ]


def test_enqueued_streams_store_the_bytes_and_leave_the_reading_to_the_workers():
    mails = [make_mail(sender=f"c{n}@example.com", subject=f"Mail {n}") for n in range(3)]
    batches = list(accept_stream(((m, "import") for m in mails), process="no", size=2))
    assert [len(found) for _, found in batches] == [2, 1]
    assert set(RawMessage.objects.values_list("state", flat=True)) == {RawState.RECEIVED}
    assert not Message.objects.exists()


def test_an_empty_stream_yields_nothing():
    assert stream([]) == []


def test_a_reading_helper_that_fails_is_replaced_by_reading_here(monkeypatch):
    original = inbound._message_id

    def message_id(data):
        if os.getpid() != PARENT:
            raise RuntimeError("the helper cannot read")
        return original(data)

    monkeypatch.setattr(inbound, "_message_id", message_id)
    mails = [
        make_mail(sender=f"c{n}@example.com", message_id=f"m{n}@example.com") for n in range(3)
    ]
    results = [r for _, found in stream(mails, size=2) for r in found]
    assert [r.raw.state for r in results] == [RawState.PROCESSED] * 3
    assert [r.raw.external_id for r in results] == [f"m{n}@example.com" for n in range(3)]
