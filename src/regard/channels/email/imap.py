"""Collecting mail from IMAP mailboxes: store first, then move or flag; never delete unstored.

`collect(mailbox)` takes every message not yet marked as stored, hands the bytes to
`accept_emails` a batch at a time, and only after the batch's commit moves those messages to the
done folder (or flags them).
`watch(mailbox)` repeats that, waiting with IDLE where the server offers it, polling otherwise.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.utils import timezone
from imapclient import IMAPClient

from regard.channels.email.inbound import accept_emails
from regard.channels.models import Mailbox

log = logging.getLogger("regard.mail")
STORED_FLAG = b"$RegardStored"
BATCH = 50


@dataclass
class Collected:
    stored: int = 0
    duplicates: int = 0


def connect(mailbox: Mailbox) -> IMAPClient:
    client = IMAPClient(mailbox.host, port=mailbox.port, ssl=mailbox.use_ssl, timeout=30)
    client.login(mailbox.username, mailbox.password)
    return client


def collect(
    mailbox: Mailbox, *, client: IMAPClient | None = None, process: str = "task"
) -> Collected:
    own_client = client is None
    client = client or connect(mailbox)
    result = Collected()
    try:
        client.select_folder(mailbox.folder)
        uids = client.search(["NOT", "KEYWORD", STORED_FLAG.decode()])
        for start in range(0, len(uids), BATCH):
            batch = uids[start : start + BATCH]
            fetched = client.fetch(batch, ["BODY.PEEK[]"])
            found = [fetched.get(uid, {}).get(b"BODY[]") for uid in batch]
            # One transaction for the batch; it has committed when accept_emails returns.
            mails = [(data, mailbox.name) for data in found if data is not None]
            for accepted in accept_emails(mails, process=process):
                result.stored += accepted.created
                result.duplicates += not accepted.created
            _mark_done(client, mailbox, batch)
        Mailbox.objects.filter(pk=mailbox.pk).update(last_checked_at=timezone.now(), last_error="")
    except Exception as exc:
        Mailbox.objects.filter(pk=mailbox.pk).update(last_error=str(exc)[:2000])
        raise
    finally:
        if own_client:
            _logout(client)
    return result


def _mark_done(client: IMAPClient, mailbox: Mailbox, uids: list[int]) -> None:
    """Called only after every message of `uids` is committed to the database."""
    client.add_flags(uids, [STORED_FLAG, b"\\Seen"])
    if mailbox.done_folder:
        if client.has_capability("MOVE"):
            client.move(uids, mailbox.done_folder)
        else:
            client.copy(uids, mailbox.done_folder)
            client.delete_messages(uids)
            client.expunge(uids)


def _logout(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:  # noqa: BLE001 - the connection may already be gone
        log.debug("IMAP logout failed", exc_info=True)


def watch(mailbox: Mailbox, *, poll_seconds: int = 60, stop=lambda: False) -> None:
    """Collect, then wait for new mail (IDLE or polling), until `stop()` is true."""
    while not stop():
        client = connect(mailbox)
        try:
            while not stop():
                collect(mailbox, client=client)
                if client.has_capability("IDLE"):
                    client.idle()
                    client.idle_check(timeout=min(poll_seconds, 29 * 60))
                    client.idle_done()
                else:
                    time.sleep(poll_seconds)
        except (OSError, IMAPClient.Error) as exc:
            log.warning("mailbox %s: %s; reconnecting in %ds", mailbox.name, exc, poll_seconds)
            time.sleep(poll_seconds)
        finally:
            _logout(client)
