"""Handing an outbound message to its channel, with headers that thread in any mail client.

The Message-ID is fixed when the message is written and is its send-once key: a send repeated
after a worker died mid-send carries the same id, which mail systems file once. `claim` keeps
two workers from sending the same message at the same time.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import make_msgid
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection

from regard.conversations.choices import Direction
from regard.customers.choices import IdentityKind


class Undeliverable(Exception):
    """The customer has no address this channel can reach."""


def _domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1]


def new_message_id() -> str:
    return make_msgid(domain=_domain())[1:-1]


def reply_address(conversation) -> str:
    local, domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)
    return f"{local}+{conversation.reply_token}@{domain}"


def subject_with_token(subject: str, conversation) -> str:
    token = f"[#{conversation.pk}]"
    return subject if token in subject else f"{subject} {token}"


def recipient(message):
    """The address the customer last wrote from, else their oldest working e-mail address."""
    conversation = message.conversation
    last = (
        conversation.messages.filter(
            direction=Direction.INBOUND, sender__bouncing=False, sender__kind=IdentityKind.EMAIL
        )
        .select_related("sender")
        .order_by("-created_at")
        .first()
    )
    if last is not None and last.sender.customer_id == conversation.customer_id:
        return last.sender
    identity = (
        conversation.customer.identities.filter(kind=IdentityKind.EMAIL, bouncing=False)
        .order_by("id")
        .first()
    )
    if identity is None:
        raise Undeliverable(f"{conversation.customer.name} has no working e-mail address")
    return identity


def thread_headers(message) -> dict[str, str]:
    """Message-ID, and In-Reply-To the customer's latest mail, with the thread in References."""
    earlier = list(
        message.conversation.messages.exclude(external_id="")
        .exclude(pk=message.pk)
        .filter(created_at__lte=message.created_at)
        .exclude(direction=Direction.NOTE)
        .order_by("created_at", "id")
        .values_list("external_id", "direction")
    )
    headers = {"Message-ID": f"<{message.external_id}>"}
    if earlier:
        inbound = [ref for ref, direction in earlier if direction == Direction.INBOUND]
        refs = [ref for ref, _direction in earlier]
        headers["In-Reply-To"] = f"<{(inbound or refs)[-1]}>"
        chain = dict.fromkeys([refs[0], *refs[-19:]])
        headers["References"] = " ".join(f"<{ref}>" for ref in chain)
    return headers


def deliver(message) -> None:
    conversation = message.conversation
    if message.channel == "chat":
        from regard.channels.chat.delivery import deliver_to_stream  # a chat is not mailed

        deliver_to_stream(message)
        return
    to = recipient(message)
    agent = getattr(message.author, "agent", None)
    company = settings.COMPANY_NAME
    from_name = f"{agent.display_name} at {company}" if agent else company
    cc = [i.value for i in conversation.participants.filter(bouncing=False)]
    mail = EmailMultiAlternatives(
        subject=subject_with_token(message.subject, conversation),
        body=message.text_full,
        from_email=f"{from_name} <{settings.DEFAULT_FROM_EMAIL}>",
        to=[to.value],
        cc=cc,
        reply_to=[reply_address(conversation)],
        headers=thread_headers(message),
    )
    if message.author_id is None:
        # RFC 3834: automatic mail says so, so that other robots do not answer it.
        mail.extra_headers["Auto-Submitted"] = "auto-replied"
        mail.extra_headers["X-Auto-Response-Suppress"] = "All"
    if message.html:
        mail.attach_alternative(message.html, "text/html")
    mail.send()


# PostgreSQL advisory locks are one namespace per database: ours carry this first key.
CLAIM_SPACE = 0x52474D31
_held: set[int] = set()
_held_lock = threading.Lock()
_lock_files: dict[str, int] = {}


@contextmanager
def claim(message_id: int) -> Iterator[bool]:
    """Hold the right to send message `message_id` (True), or learn that another worker holds
    it now (False). The claim is a lock the operating system or the database drops when its
    holder dies, SIGKILL included, so a killed worker never leaves a message claimed.

    PostgreSQL: a session advisory lock (workers may run on many machines). SQLite: a byte-range
    lock in a file beside the database (every process using it runs on this machine).
    """
    with _held_lock:  # POSIX locks are per process: threads of one process check here
        if message_id in _held:
            yield False
            return
        _held.add(message_id)
    try:
        with _process_claim(message_id) as claimed:
            yield claimed
    finally:
        with _held_lock:
            _held.discard(message_id)


@contextmanager
def _process_claim(message_id: int) -> Iterator[bool]:
    if connection.vendor == "postgresql":
        key = [CLAIM_SPACE, message_id & 0x7FFFFFFF]  # a rare collision only defers a send
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
            claimed = cursor.fetchone()[0]
        try:
            yield claimed
        finally:
            if claimed and connection.connection is not None:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
        return
    descriptor = _lock_file()
    if descriptor is None:  # an in-memory database: this process is the only one
        yield True
        return
    try:
        fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, message_id)
    except OSError:
        yield False
        return
    try:
        yield True
    finally:
        fcntl.lockf(descriptor, fcntl.LOCK_UN, 1, message_id)


def _lock_file() -> int | None:
    """The claims file beside the SQLite database, opened once a process: closing any descriptor
    of a file drops all of the process's locks on it."""
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return None
    path = str(Path(name).with_name(Path(name).name + "-claims"))
    if path not in _lock_files:
        _lock_files[path] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    return _lock_files[path]
