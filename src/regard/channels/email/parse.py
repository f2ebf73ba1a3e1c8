"""Parse raw e-mail bytes into a ParsedMail: never raising, bounded against parser bombs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.errors import MessageDefect, MissingHeaderBodySeparatorDefect
from email.message import Message
from email.parser import BytesHeaderParser

from . import kinds
from .attachments import ParsedAttachment
from .headers import (
    PARSE_POLICY,
    RawHeaders,
    addresses,
    first_mailbox,
    header_text,
    message_date,
    message_ids,
    oversized,
)
from .parse_body import BodyWalker, Limits

_HEADER_LINE = re.compile(rb"^(From |[!-9;-~]+[ \t]*:)")


@dataclass(frozen=True, slots=True)
class ParsedMail:
    """Everything the inbound pipeline needs from one raw message, as plain values."""

    message_id: str | None = None
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    subject: str = ""
    from_address: str = ""
    from_name: str = ""
    reply_to: list[tuple[str, str]] = field(default_factory=list)
    sender: str | None = None
    to: list[tuple[str, str]] = field(default_factory=list)
    cc: list[tuple[str, str]] = field(default_factory=list)
    date: datetime | None = None
    text: str = ""
    text_new: str = ""
    html: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    kind: str = kinds.NORMAL
    bounced_message_id: str | None = None
    bounced_recipients: list[str] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)


def parse_message(raw: bytes) -> ParsedMail:
    """Parse `raw`; whatever goes wrong is recorded in `defects`, never raised."""
    try:
        data = bytes(raw)
    except Exception as exc:
        return ParsedMail(defects=[f"input is not bytes: {type(raw).__name__} ({exc})"])
    try:
        return _parse(_message_from_bytes(data), [])
    except Exception as exc:
        return _parse_headers_only(data, f"message could not be parsed: {exc!r}")


def _message_from_bytes(data: bytes) -> Message:
    msg = message_from_bytes(data, policy=PARSE_POLICY)
    if any(isinstance(d, MissingHeaderBodySeparatorDefect) for d in msg.defects) or not msg.keys():
        repaired = _repair_header_block(data)
        if repaired != data:
            fixed = message_from_bytes(repaired, policy=PARSE_POLICY)
            fixed.defects.append(RepairedHeaderBlockDefect())
            return fixed if len(fixed.keys()) > len(msg.keys()) else msg
    return msg


class RepairedHeaderBlockDefect(MessageDefect):
    """Stray lines in the header block were read as continuations (or dropped before it)."""


def _repair_header_block(data: bytes) -> bytes:
    """Fix a header block broken by unindented continuation lines or junk before the headers."""
    end = min((i for i in (data.find(b"\n\n"), data.find(b"\r\n\r\n")) if i >= 0), default=-1)
    head, tail = (data, b"") if end < 0 else (data[:end], data[end:])
    lines = head.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines[:5]) if _HEADER_LINE.match(line)), 0)
    fixed = [
        line if _HEADER_LINE.match(line) or line[:1] in (b" ", b"\t") else b" " + line
        for line in lines[start:]
    ]
    return b"".join(fixed) + tail


def _parse_headers_only(data: bytes, defect: str) -> ParsedMail:
    try:
        msg = BytesHeaderParser(policy=policy.compat32).parsebytes(data)
        walker_defects = [defect, "only headers were read"]
        return _parse(msg, walker_defects, walk_body=False)
    except Exception as exc:
        return ParsedMail(defects=[defect, f"headers could not be parsed: {exc!r}"])


def _parse(msg: Message, defects: list[str], walk_body: bool = True) -> ParsedMail:
    raw_headers = RawHeaders(msg)
    walker = BodyWalker(Limits(), defects)
    if walk_body:
        walker.walk(msg, depth=0)
    else:
        defects.extend(type(defect).__name__ for defect in msg.defects)
    head = _read_headers(msg, raw_headers, walker.limits.charsets, defects)
    body = walker.result()
    kind_fields = _kind_fields(msg, raw_headers, head, walker, body["text"])
    defects = list(dict.fromkeys(defects))
    return ParsedMail(
        **head, **body, **kind_fields, attachments=walker.attachments, defects=defects
    )


def _sender_of(msg: Message, raw_headers: RawHeaders, hints: Sequence[str], defects: list[str]):
    """Return the (name, address) of the author: From, else Sender, Reply-To or Return-Path."""
    from_ = addresses(msg, raw_headers, "from", hints)
    mailbox = first_mailbox(from_)
    if mailbox:
        return mailbox
    for fallback in ("sender", "reply-to", "return-path"):
        mailbox = first_mailbox(addresses(msg, raw_headers, fallback, hints))
        if mailbox:
            defects.append(f"From has no usable address; used {fallback.title()}")
            return mailbox
    defects.append("no From address")
    return from_[0] if from_ else ("", "")


def _read_headers(msg: Message, raw_headers: RawHeaders, hints: Sequence[str], defects: list[str]):
    sender = first_mailbox(addresses(msg, raw_headers, "sender", hints))
    from_name, from_address = _sender_of(msg, raw_headers, hints, defects)
    defects.extend(oversized(raw_headers))
    message_id = message_ids(raw_headers.first("message-id"))
    return {
        "message_id": message_id[0] if message_id else None,
        "in_reply_to": message_ids(" ".join(raw_headers.all("in-reply-to"))),
        "references": message_ids(" ".join(raw_headers.all("references"))),
        "subject": header_text(msg, raw_headers, "subject", defects, hints),
        "from_address": from_address,
        "from_name": from_name,
        "reply_to": addresses(msg, raw_headers, "reply-to", hints),
        "sender": sender[1] if sender else None,
        "to": addresses(msg, raw_headers, "to", hints),
        "cc": addresses(msg, raw_headers, "cc", hints),
        "date": message_date(raw_headers),
    }


def _kind_fields(
    msg: Message, raw_headers: RawHeaders, head: dict, walker: BodyWalker, text: str
) -> dict:
    try:
        content_type = msg.get_content_type()
        report_type = str(msg.get_param("report-type", "") or "").lower()
    except Exception:
        content_type, report_type = "text/plain", ""
    kind = kinds.detect_kind(
        raw_headers.first, content_type, report_type, head["subject"], head["from_address"]
    )
    if kind == kinds.BOUNCE and kinds.nothing_failed(walker.status_blocks):
        kind = kinds.AUTO_REPLY  # a "delayed" notice: automatic, but nothing bounced yet
    if kind != kinds.BOUNCE:
        return {"kind": kind}
    message_id, recipients = kinds.bounce_details(walker.status_blocks, walker.original, text)
    return {"kind": kind, "bounced_message_id": message_id, "bounced_recipients": recipients}
