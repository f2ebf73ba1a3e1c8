"""Demo e-mail as it arrives: quoted replies, an HTML alternative, and real RFC 5322 bytes."""

from __future__ import annotations

import base64
import hashlib
import html
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from zoneinfo import ZoneInfo

from regard.channels.models import RawMessage, RawState

SUPPORT_ADDRESS = "support@acme.example"

# A 1x1 PNG and a one-page PDF: enough for a real attachment part without shipping files.
PHOTO = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg=="
)
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
ATTACHMENTS = {
    "photo": (PHOTO, "image", "png", "damage.png"),
    "pdf": (PDF, "application", "pdf", "invoice.pdf"),
}


def quote(new: str, earlier: str, author: str, at: datetime, tz: str) -> str:
    """The customer's new text followed by the agent's message, quoted as mail clients do."""
    local = at.astimezone(ZoneInfo(tz or "UTC"))
    stamp = f"{local:%a}, {local.day} {local:%b %Y} at {local:%H:%M}"
    quoted = "\n".join(f"> {line}" if line else ">" for line in earlier.splitlines())
    return f"{new}\n\nOn {stamp}, {author} <{SUPPORT_ADDRESS}> wrote:\n{quoted}"


def to_html(new: str, earlier: str = "") -> str:
    paragraphs = "".join(
        f"<p>{html.escape(block).replace(chr(10), '<br>')}</p>" for block in new.split("\n\n")
    )
    if earlier:
        paragraphs += f"<blockquote>{html.escape(earlier).replace(chr(10), '<br>')}</blockquote>"
    return f"<html><body>{paragraphs}</body></html>"


def build_mail(
    *,
    sender: tuple[str, str],
    subject: str,
    text: str,
    at: datetime,
    tz: str,
    message_id: str,
    in_reply_to: str = "",
    html_body: str = "",
    attachment: str = "",
) -> bytes:
    mail = EmailMessage(policy=policy.SMTP)
    name, address = sender
    mail["From"] = Address(display_name=name, addr_spec=address)
    mail["To"] = Address(display_name="Acme Support", addr_spec=SUPPORT_ADDRESS)
    mail["Subject"] = subject
    mail["Date"] = format_datetime(at.astimezone(ZoneInfo(tz or "UTC")))
    mail["Message-ID"] = message_id
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
        mail["References"] = in_reply_to
    mail.set_content(text)
    if html_body:
        mail.add_alternative(html_body, subtype="html")
    if attachment:
        data, maintype, subtype, filename = ATTACHMENTS[attachment]
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return mail.as_bytes()


def store_raw(data: bytes, message_id: str, at: datetime) -> RawMessage:
    """The bytes as the mail fetcher would have stored them, already processed."""
    return RawMessage.objects.create(
        channel="email",
        source=SUPPORT_ADDRESS,
        external_id=message_id,
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        size=len(data),
        state=RawState.PROCESSED,
        received_at=at,
        processed_at=at,
    )
