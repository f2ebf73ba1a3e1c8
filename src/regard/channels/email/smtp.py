"""Receiving mail straight from a mail server over SMTP or LMTP (aiosmtpd)."""

from __future__ import annotations

import logging

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

from regard.channels.email.inbound import accept_email

log = logging.getLogger("regard.mail")


class RegardHandler:
    """Stores every message it is handed; answers 250 only once the bytes are in the database."""

    def __init__(self, source: str = "smtp", process: str = "task"):
        self.source = source
        self.process = process

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        try:
            await sync_to_async(self._store, thread_sensitive=False)(envelope.content)
        except Exception:
            log.exception("could not store a message from %s", envelope.mail_from)
            return "451 Requested action aborted: local error in processing"
        return "250 Message accepted for delivery"

    def _store(self, content: bytes) -> None:
        close_old_connections()
        try:
            accept_email(content, source=self.source, process=self.process)
        finally:
            close_old_connections()


class LMTPController(Controller):
    def factory(self):
        return LMTP(self.handler, **self.SMTP_kwargs)


def start_receiver(
    host: str, port: int, *, lmtp: bool = False, process: str = "task", source: str = "smtp"
) -> Controller:
    """Start the receiver in a background thread; the caller stops it with `.stop()`."""
    controller_class = LMTPController if lmtp else Controller
    # Oversized mail is accepted and kept raw (flagged), so allow a margin over the limit.
    controller = controller_class(
        RegardHandler(source=source, process=process),
        hostname=host,
        port=port,
        data_size_limit=settings.MAX_MESSAGE_BYTES * 2,
    )
    controller.start()
    return controller
