"""The clock's sweeps that queue again what a killed worker took down: replies owed to customers
and stored mail still to be filed. They act only once the task queue has run dry, so work that
is only waiting behind a long queue is never queued twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from regard.channels import tasks as channel_tasks
from regard.channels.email.inbound import accept_email
from regard.channels.models import RawMessage
from regard.conversations import actions
from regard.conversations import tasks as conversation_tasks
from regard.conversations.choices import Delivery
from regard.conversations.models import Message
from regard.system.clock import sweep
from regard.system.workers import LEASE, RESUME_WITHIN, tasks_waiting
from tests.channels.mail import make_mail
from tests.factories import make_conversation, make_customer
from tests.system.test_chaos_send import clear_task_queue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_queue():
    clear_task_queue()
    yield
    clear_task_queue()


def lost_reply(agent, *, written_ago: timedelta) -> Message:
    """A reply whose delivery task went down with its worker."""
    reply = actions.send_reply(agent.user, make_conversation(make_customer()), "On its way.")
    Message.objects.filter(pk=reply.pk).update(created_at=timezone.now() - written_ago)
    clear_task_queue()
    return reply


def test_a_lost_reply_is_queued_again_once_and_then_left_to_its_task(agent):
    reply = lost_reply(agent, written_ago=LEASE + timedelta(minutes=1))
    assert tasks_waiting() == 0
    assert conversation_tasks.resume_stalled() == 1
    assert tasks_waiting() == 1
    assert conversation_tasks.resume_stalled() == 0  # its task waits in the queue
    assert conversation_tasks.deliver_message.call(reply.pk) == "sent"
    clear_task_queue()
    assert conversation_tasks.resume_stalled() == 0  # sent: nothing owed


def test_replies_inside_their_lease_or_days_old_are_not_queued_again(agent):
    lost_reply(agent, written_ago=LEASE - timedelta(minutes=1))
    lost_reply(agent, written_ago=RESUME_WITHIN + timedelta(hours=1))
    assert conversation_tasks.resume_stalled() == 0
    assert Message.objects.filter(delivery=Delivery.QUEUED).count() == 2


def test_nothing_is_queued_again_while_the_queue_still_holds_work(agent):
    lost_reply(agent, written_ago=LEASE + timedelta(minutes=1))
    conversation_tasks.deliver_message.enqueue(0)  # someone else's task, still waiting
    assert conversation_tasks.resume_stalled() == 0


def test_stored_mail_whose_task_was_lost_is_filed_after_the_sweep(settings, tmp_path):
    settings.ATTACHMENTS_DIR = tmp_path
    live = accept_email(make_mail(subject="Live"), source="support", process="task").raw
    imported = accept_email(make_mail(subject="Old"), source="import:box.mbox", process="task").raw
    RawMessage.objects.update(received_at=timezone.now() - LEASE - timedelta(minutes=1))
    clear_task_queue()
    assert channel_tasks.resume_stalled() == 2
    assert channel_tasks.resume_stalled() == 0
    from django_tasks_db.models import DBTaskResult

    if not settings.REDIS_URL:  # the database queue shows what was queued: live mail as live
        queued = sorted(tuple(task.args_kwargs["args"]) for task in DBTaskResult.objects.all())
        assert queued == [(live.pk, True), (imported.pk, False)]


def test_the_clock_reports_the_resumed_work(agent):
    lost_reply(agent, written_ago=LEASE + timedelta(minutes=1))
    done = sweep()
    assert done["replies_resumed"] == 1
    assert done["mail_processing_resumed"] == 0


def test_a_reply_deleted_while_queued_is_left_alone(agent):
    reply = lost_reply(agent, written_ago=timedelta(0))
    Message.objects.filter(pk=reply.pk).delete()
    assert conversation_tasks.deliver_message.call(reply.pk) == "gone"


def test_a_retry_due_later_does_not_hold_the_sweep_back(agent):
    lost_reply(agent, written_ago=LEASE + timedelta(minutes=1))
    later = timezone.now() + timedelta(hours=1)
    conversation_tasks.deliver_message.using(run_after=later).enqueue(0)  # a failing receiver's
    assert tasks_waiting() == 0
    assert conversation_tasks.resume_stalled() == 1
