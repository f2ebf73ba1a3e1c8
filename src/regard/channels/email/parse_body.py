"""Walk the MIME tree of a message into body texts, HTML, attachments and delivery reports."""

from __future__ import annotations

import binascii
import mimetypes
import re
from dataclasses import dataclass, field, replace
from email.errors import InvalidBase64LengthDefect
from email.generator import BytesGenerator, Generator
from email.message import Message
from email.parser import HeaderParser
from email.policy import EmailPolicy
from io import BytesIO, StringIO

from regard.conversations.sanitize import (
    MAX_NESTING,
    defuse_html,
    html_to_text,
    sanitize_html,
)
from regard.insight.quoting import new_text

from .attachments import (
    ParsedAttachment,
    extension_for,
    fallback_name,
    make_attachment,
    safe_filename,
    unique_name,
)
from .charsets import decode_bytes, repair_surrogates
from .headers import RawHeaders, decode_words

MAX_PARTS = 1000
MAX_DEPTH = 20
MAX_HTML_CHARS = 2_000_000
MAX_TEXT_FROM_HTML_CHARS = 500_000  # html.parser reads about 0.5 MB/s
BODY, HTML_ONLY, RESOURCE = "body", "html-only", "resource"  # how a subtree's text parts count
_BODY_TYPES = ("text/plain", "text/html")
_ALTERNATIVE_TEXT = ("text/plain", "text/html", "text/enriched", "text/richtext", "multipart/")
_FORWARDED_TYPES = ("message/rfc822", "message/global")
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}charset=[\"']?([\w.:-]+)", re.IGNORECASE)
_UU_BLOCK = re.compile(
    r"^begin [0-7]{3,4} (?P<name>[^\r\n]+)\r?\n(?P<body>.*?)^end[ \t]*\r?$", re.M | re.S
)
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/]")
_LINE_ENDS = re.compile(r"\r+\n|\r")
_FORWARD_FIELDS = ("from", "date", "subject", "to")


@dataclass
class Limits:
    """Counts shared by every walker of one message, so nested messages share the caps."""

    parts: int = 0
    capped: bool = False
    charsets: list[str] = field(default_factory=list)  # declared body charsets: header hints


def _raw(part: Message, name: str) -> str:
    for key, value in part.raw_items():
        if key.lower() == name:
            return str(value)
    return ""


def _stored_payload(part: Message) -> object:
    # get_payload() re-decodes 8-bit text with the declared charset, lossily, and raises on a
    # garbage label; the stored payload is exactly what was read (8-bit bytes surrogate-escaped).
    return part._payload


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "application/octet-stream"


def _disposition(part: Message) -> str | None:
    try:
        return part.get_content_disposition()
    except Exception:
        return None


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if not name:
        return None
    name = repair_surrogates(str(name))
    return decode_words(name) if "=?" in name else name


def _content_id(part: Message) -> str | None:
    value = _raw(part, "content-id").strip().strip("<>").strip()
    return value or None


class _VerbatimPolicy(EmailPolicy):
    """Writes headers back as they were read: no refolding, no space after an empty header."""

    def fold_binary(self, name: str, value: str) -> bytes:
        if isinstance(value, str) and not value.strip():
            return f"{name}:{self.linesep}".encode("ascii", "surrogateescape")
        return super().fold_binary(name, value)


_VERBATIM = _VerbatimPolicy(refold_source="none")


def message_bytes(msg: Message) -> bytes:
    """Serialise an embedded message as close to its original as the parse tree allows, with
    Unix line endings (bodies keep whatever mix they arrived with otherwise)."""
    try:
        out = BytesIO()
        BytesGenerator(out, mangle_from_=False, policy=_VERBATIM).flatten(msg, unixfrom=False)
        data = out.getvalue()
    except UnicodeError:  # non-ASCII text where the bytes generator expects escaped 8-bit only
        text = StringIO()
        Generator(text, mangle_from_=False, policy=_VERBATIM).flatten(msg, unixfrom=False)
        data = text.getvalue().encode("utf-8", "surrogateescape")
    data = data.replace(b"\r\n", b"\n")
    return data if data.strip() else b""


def _lenient_b64decode(payload: str) -> bytes:
    """Decode base64 that the stdlib gave up on: drop junk and a dangling partial quantum."""
    clean = _NOT_BASE64.sub("", payload.split("=", 1)[0])
    clean = clean[: len(clean) - len(clean) % 4 if len(clean) % 4 == 1 else len(clean)]
    try:
        return binascii.a2b_base64(clean + "=" * (-len(clean) % 4))
    except binascii.Error:
        return payload.encode("ascii", "replace")


def _uudecode(body: str) -> bytes | None:
    out = bytearray()
    for line in body.splitlines():
        if not line.strip():
            continue
        raw = line.encode("latin-1", "replace")
        try:
            out += binascii.a2b_uu(raw)
        except binascii.Error:
            length = (((raw[0] - 32) & 63) * 4 + 5) // 3  # tolerate encoders that pad badly
            try:
                out += binascii.a2b_uu(raw[:length])
            except binascii.Error:
                return None
    return bytes(out)


def _join_body(texts: list[str], html: str, defects: list[str]) -> str:
    own = "\n\n".join(text.strip("\n") for text in texts)
    if not own.strip() and html:
        if len(html) > MAX_TEXT_FROM_HTML_CHARS:
            defects.append(
                f"text taken from the first {MAX_TEXT_FROM_HTML_CHARS} characters of HTML"
            )
        own = html_to_text(html[:MAX_TEXT_FROM_HTML_CHARS])
    return own.strip()


class BodyWalker:
    """Collects the parts of one message (or of one forwarded message inside it)."""

    def __init__(self, limits: Limits, defects: list[str], prefix: str = "") -> None:
        self.limits, self.defects, self.prefix = limits, defects, prefix
        self.texts: list[str] = []
        self.htmls: list[str] = []
        self.forwarded: list[str] = []
        self.attachments: list[ParsedAttachment] = []
        self.status_blocks: list[Message] = []
        self.original: Message | None = None  # the returned message, when this is a bounce
        self.names: set[str] = set()

    def walk(self, part: Message, depth: int, mode: str = BODY) -> None:
        """Visit `part` and its children, within the part and depth caps."""
        if not self._admit(depth):
            return
        ctype = _content_type(part)
        payload = _stored_payload(part)
        if ctype in _FORWARDED_TYPES and isinstance(payload, list) and payload:
            self._forwarded(part, payload[0], depth)
        elif ctype.startswith("message/") and isinstance(payload, list):
            self._report(part, ctype, payload)
        elif isinstance(payload, list):
            self._children(ctype, payload, depth, mode)
        else:
            self._leaf(part, ctype, mode)
        self.defects.extend(self.prefix + type(defect).__name__ for defect in part.defects)

    def _admit(self, depth: int) -> bool:
        self.limits.parts += 1
        if self.limits.parts <= MAX_PARTS and depth <= MAX_DEPTH:
            return True
        if not self.limits.capped:
            self.limits.capped = True
            self.defects.append(f"MIME tree capped at {MAX_PARTS} parts / depth {MAX_DEPTH}")
        return False

    def _children(self, ctype: str, payload: list, depth: int, mode: str) -> None:
        children = [child for child in payload if isinstance(child, Message)]
        if ctype == "multipart/alternative":
            self._alternative(children, depth, mode)
            return
        for index, child in enumerate(children):
            # In multipart/related only the root part is body; the rest are its resources.
            related = ctype == "multipart/related" and index > 0
            self.walk(child, depth + 1, RESOURCE if related else mode)

    def _alternative(self, children: list[Message], depth: int, mode: str) -> None:
        types = [_content_type(child) for child in children]
        plain = next((i for i, t in enumerate(types) if t == "text/plain"), None)
        rich = next(
            (
                i
                for i in reversed(range(len(types)))
                if types[i] == "text/html" or "multipart/" in types[i]
            ),
            None,
        )
        rich_mode = HTML_ONLY if plain is not None and mode == BODY else mode
        for index, child in enumerate(children):
            if index == plain:
                self.walk(child, depth + 1, mode)
            elif index == rich:
                self.walk(child, depth + 1, rich_mode)
            elif not types[index].startswith(_ALTERNATIVE_TEXT) or (plain is None and rich is None):
                self.walk(child, depth + 1, mode)

    def _leaf(self, part: Message, ctype: str, mode: str) -> None:
        data = self._payload_bytes(part)
        filename, disposition = _filename(part), _disposition(part)
        if ctype.startswith("multipart/"):
            self.defects.append(self.prefix + f"{ctype} without parts read as text")
            ctype = "text/plain"
        is_body = ctype in _BODY_TYPES and disposition != "attachment" and not filename
        if is_body and mode != RESOURCE:
            text = self._decode_text(part, data, ctype)
            if ctype == "text/html":
                self.htmls.append(text)
            elif mode != HTML_ONLY:
                self.texts.append(self._extract_uuencoded(text))
            return
        if ctype == "text/rfc822-headers":
            self._note_original(HeaderParser().parsestr(decode_bytes(data)[0], headersonly=True))
        self._attach(part, ctype, data, filename, disposition)

    def _payload_bytes(self, part: Message) -> bytes:
        try:
            data = part.get_payload(decode=True)
        except Exception as exc:
            self.defects.append(self.prefix + f"payload could not be decoded: {exc!r}")
            data = None
        if isinstance(data, bytes) and not any(
            isinstance(defect, InvalidBase64LengthDefect) for defect in part.defects
        ):
            return data
        payload = _stored_payload(part)
        if isinstance(payload, str) and "base64" in _raw(part, "content-transfer-encoding").lower():
            return _lenient_b64decode(payload)
        return payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""

    def _decode_text(self, part: Message, data: bytes, ctype: str) -> str:
        try:
            charset = part.get_content_charset()
        except Exception:
            charset = None
        if charset and charset not in self.limits.charsets:
            self.limits.charsets.append(charset)
        if not charset and ctype == "text/html":
            match = _META_CHARSET.search(data[:4096])
            charset = match.group(1).decode("ascii", "replace") if match else None
        text, defect = decode_bytes(data, charset)
        if defect:
            self.defects.append(self.prefix + defect)
        return _LINE_ENDS.sub("\n", text.replace("\x00", ""))

    def _extract_uuencoded(self, text: str) -> str:
        if "begin " not in text:
            return text

        def take(match: re.Match[str]) -> str:
            data = _uudecode(match.group("body"))
            if data is None:
                return match.group(0)
            name = match.group("name").strip()
            ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
            self._add(make_attachment(data, name, ctype, None, False))
            return ""

        return _UU_BLOCK.sub(take, text)

    def _attach(
        self, part: Message, ctype: str, data: bytes, filename: str | None, disposition: str | None
    ) -> None:
        content_id = _content_id(part)
        if not filename:
            description = decode_words(_raw(part, "content-description")).strip()
            filename = description + extension_for(ctype) if description else None
        name = safe_filename(filename or fallback_name(ctype, content_id), ctype)
        inline = (disposition == "inline" and ctype.startswith("image/")) or (
            content_id is not None and disposition != "attachment"
        )
        self._add(make_attachment(data, name, ctype, content_id, inline))

    def _add(self, attachment: ParsedAttachment) -> None:
        name = unique_name(attachment.filename, self.names)
        self.attachments.append(
            replace(attachment, filename=name) if name != attachment.filename else attachment
        )

    def _forwarded(self, part: Message, inner: Message, depth: int) -> None:
        raw_headers = RawHeaders(inner)
        self._note_original(inner)
        nested = BodyWalker(self.limits, self.defects, self.prefix or "forwarded message: ")
        nested.walk(inner, depth + 1)
        subject = decode_words(raw_headers.first("subject"), self.limits.charsets).strip()
        filename = _filename(part) or subject
        filename = filename or decode_words(_raw(part, "content-description")).strip()
        filename = safe_filename(filename or "forwarded message")
        filename = filename if filename.lower().endswith(".eml") else filename + ".eml"
        data = self._message_bytes(inner)
        self._add(make_attachment(data, filename, "message/rfc822", None, False))
        summary = [
            f"{name.title()}: {decode_words(raw_headers.first(name)).strip()}"
            for name in _FORWARD_FIELDS
            if raw_headers.first(name)
        ]
        body = nested.result()["text"]
        self.forwarded.append(
            "\n".join(["---------- Forwarded message ----------", *summary, "", body])
        )

    def _message_bytes(self, inner: Message) -> bytes:
        try:
            return message_bytes(inner)
        except Exception as exc:
            self.defects.append(self.prefix + f"embedded message not re-serialised: {exc!r}")
            return b""

    def _report(self, part: Message, ctype: str, blocks: list) -> None:
        blocks = [block for block in blocks if isinstance(block, Message)]
        if ctype == "message/delivery-status":
            self.status_blocks.extend(blocks)
        data = b"".join(self._message_bytes(block) for block in blocks)
        data = data[:-1] if data.endswith(b"\n\n") else data
        self._attach(part, ctype, data, _filename(part), "attachment")

    def _note_original(self, original: Message) -> None:
        if self.original is None:
            self.original = original

    def result(self) -> dict:
        """Return the text, text_new and html fields for what was walked."""
        html = "\n".join(self.htmls)
        if len(html) > MAX_HTML_CHARS:
            self.defects.append(f"HTML body capped at {MAX_HTML_CHARS} characters")
            html = html[:MAX_HTML_CHARS]
        defused = defuse_html(html)
        if defused is not html:
            self.defects.append(f"HTML nested deeper than {MAX_NESTING}; only its text was kept")
            html = defused
        own = _join_body(self.texts, html, self.defects)
        text = "\n\n".join(part for part in (own, *self.forwarded) if part)
        return {"text": text, "text_new": new_text(own), "html": sanitize_html(html).strip()}
