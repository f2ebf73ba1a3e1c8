"""Read e-mail headers robustly: the stdlib's default policy first, a lenient decoder after."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from email import policy
from email.header import decode_header
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from .charsets import decode_bytes, repair_surrogates

# Longer values are truncated before parsing: the structured-header parser is slow on huge input.
MAX_HEADER_CHARS = 16_000
MAX_IDS = 200
_ADDRESS_HEADERS = ("from", "sender", "reply-to", "to", "cc", "return-path")
_CACHED_VALUE_CHARS = 1_000


class _CachingHeaderRegistry(HeaderRegistry):
    """The stdlib registry builds a new class and re-parses on every access; memoise both."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type] = {}
        self._parsed: dict[tuple[str, str], BaseHeader] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        if key not in self._classes:
            self._classes[key] = super().__getitem__(name)
        return self._classes[key]

    def __call__(self, name: str, value: str) -> BaseHeader:
        if len(value) > _CACHED_VALUE_CHARS:
            return super().__call__(name, value)
        key = (name.lower(), value)
        header = self._parsed.get(key)
        if header is None:
            if len(self._parsed) > 4_096:
                self._parsed.clear()
            header = self._parsed[key] = super().__call__(name, value)
        return header


# policy.default, only faster: parsed headers are immutable, so sharing them is safe.
PARSE_POLICY = policy.default.clone(header_factory=_CachingHeaderRegistry())
_MSG_ID = re.compile(r"<([^<>\s]+)>")
_ANGLE_ADDRESS = re.compile(r"(?:^|,)([^<>,]*)<([^<>\s]+@[^<>\s]+)>")  # anchored: linear
_NOT_SIMPLE = re.compile(r"[()\\;:\[\]]")
_SIMPLE_ADDRESS = re.compile(
    r'\s*(?:(?:"(?P<quoted>[^"]*)"|(?P<name>[^<>@",]*?))\s*<(?P<address>[^<>\s@",]+@[^<>\s@",]+)>'
    r'|(?P<bare>[^<>\s@",]+@[^<>\s@",]+))\s*(?:,|$)'
)
_ADJACENT_WORDS = re.compile(r"\?=\s+=\?")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")
_FOLD = re.compile(r"\r?\n")


class RawHeaders:
    """The message's headers as stored, looked up by lower-case name."""

    def __init__(self, msg: Message) -> None:
        self.values: dict[str, list[str]] = {}
        for name, value in msg.raw_items():
            text = value if isinstance(value, str) else str(value)
            self.values.setdefault(str(name).lower(), []).append(_FOLD.sub("", text))

    def first(self, name: str) -> str:
        values = self.values.get(name.lower())
        return values[0] if values else ""

    def all(self, name: str) -> list[str]:
        return self.values.get(name.lower(), [])


def _decode_chunk(chunk: bytes, charset: str | None, hints: Sequence[str]) -> str:
    if charset:
        return decode_bytes(chunk, charset)[0]
    # decode_header hands back unencoded stretches as raw-unicode-escape bytes.
    return repair_surrogates(chunk.decode("raw-unicode-escape", "replace"), hints)


def decode_words(raw: str, hints: Sequence[str] = ()) -> str:
    """Decode RFC 2047 encoded words leniently; raw 8-bit text is tried as UTF-8, then `hints`."""
    try:
        chunks = decode_header(raw)
    except Exception:
        return repair_surrogates(raw, hints)
    parts = []
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            parts.append(_decode_chunk(chunk, charset, hints))
        else:
            parts.append(repair_surrogates(chunk, hints))
    return "".join(parts)


def _suspicious(text: str) -> bool:
    return "\ufffd" in text or any("\udc80" <= ch <= "\udcff" for ch in text)


def _policy_header(msg: Message, name: str, raw: str) -> object | None:
    """The default policy's parsed header; None when it fails or `raw` (the whole value,
    which is what the policy would parse) is too long to parse safely."""
    if len(raw) > MAX_HEADER_CHARS:
        return None
    try:
        return msg[name]
    except Exception:
        return None


def header_text(
    msg: Message, raw_headers: RawHeaders, name: str, defects: list[str], hints: Sequence[str] = ()
) -> str:
    """Return an unstructured header (such as Subject) as decoded text, "" when absent."""
    full = raw_headers.first(name)
    raw = full[:MAX_HEADER_CHARS]
    if len(full) > MAX_HEADER_CHARS:
        defects.append(f"{name} header truncated to {MAX_HEADER_CHARS} characters")
    if raw.isascii() and "=?" not in raw:
        text = raw  # plain ASCII: the default policy would return it unchanged, only slower
    else:
        value = _policy_header(msg, name, full)
        text = str(value) if value is not None else ""
        if value is None or _suspicious(text) or "=?" in text:  # "=?": compat32 leaves words
            text = decode_words(raw, hints)
    if "\r" in text or "\n" in text:
        return _LINE_BREAKS.sub(" ", text).strip()  # never let a decoded header carry a line break
    return text.strip() if raw.strip() != raw else text


def _policy_addresses(value: object) -> list[tuple[str, str]] | None:
    try:
        found = [(a.display_name, a.addr_spec) for a in value.addresses]  # type: ignore[attr-defined]
    except Exception:
        return None
    if any(_suspicious(name + address) or "@" not in address for name, address in found):
        return None
    return found


def _lenient_addresses(raws: list[str], hints: Sequence[str]) -> list[tuple[str, str]]:
    try:
        found = [(decode_words(n, hints), decode_words(a, hints)) for n, a in getaddresses(raws)]
    except Exception:
        found = []
    if not any("@" in address for _, address in found):
        found += [
            (decode_words(n, hints).strip().strip('"'), a)
            for raw in raws
            for n, a in _ANGLE_ADDRESS.findall(raw)
        ]
    return found


def _with_names(found: list[tuple[str, str]], lenient: list[tuple[str, str]], raw: str):
    """Take display names from the lenient reading when the strict one has none (`addr (Name)`)
    or splits adjacent encoded words, which RFC 2047 says to join."""
    names = {address.lower(): name for name, address in lenient if name}
    prefer = _ADJACENT_WORDS.search(raw) is not None
    return [
        ((names.get(address.lower()) if prefer or not name else None) or name, address)
        for name, address in found
    ]


def addresses(
    msg: Message, raw_headers: RawHeaders, name: str, hints: Sequence[str] = ()
) -> list[tuple[str, str]]:
    """Return the (display name, lower-case address) pairs of an address header."""
    fulls = raw_headers.all(name)
    raws = [raw[:MAX_HEADER_CHARS] for raw in fulls]
    if not raws:
        return []
    simple = _simple_addresses(raws)
    if simple is not None:
        return simple
    value = _policy_header(msg, name, fulls[0]) if len(raws) == 1 else None
    found = _policy_addresses(value) if value is not None else None
    lenient = _lenient_addresses(raws, hints)
    found = _with_names(found, lenient, raws[0]) if found else lenient
    pairs = ((n.strip(), a.strip().strip("<>").lower()) for n, a in found)
    return [(n, a) for n, a in pairs if a or n]


def _simple_addresses(raws: list[str]) -> list[tuple[str, str]] | None:
    """Read plain `Name <a@b>, "Doe, J" <c@d>, e@f` lists without the slow full parser.

    Returns None for anything else (comments, groups, escapes, 8-bit, odd syntax).
    """
    raw = raws[0]
    if len(raws) != 1 or not raw.isascii() or _NOT_SIMPLE.search(raw):
        return None
    found, position = [], 0
    while position < len(raw):
        match = _SIMPLE_ADDRESS.match(raw, position)
        if not match or match.end() == position:
            return None
        name = (match.group("quoted") or match.group("name") or "").strip()
        name = decode_words(name) if "=?" in name else name
        address = match.group("address") or match.group("bare")
        found.append((name, address.lower()))
        position = match.end()
    return found


def first_mailbox(pairs: list[tuple[str, str]]) -> tuple[str, str] | None:
    """Return the first pair with a usable address (one holding an @), if any."""
    return next((pair for pair in pairs if "@" in pair[1]), None)


def message_ids(raw: str) -> list[str]:
    """Return the message ids in a Message-ID, In-Reply-To or References value, in order.

    Past MAX_IDS, the first (the thread's root) and the latest are kept.
    """
    found = _MSG_ID.findall(raw)
    if not found and raw.strip():
        found = [token.strip("<>") for token in raw.split() if "@" in token]
    found = list(dict.fromkeys(found))
    return found if len(found) <= MAX_IDS else found[:1] + found[1 - MAX_IDS :]


def oversized(raw_headers: RawHeaders) -> list[str]:
    """Return a defect for each header too long to be read whole."""
    return [
        f"{name} header truncated to {MAX_HEADER_CHARS} characters"
        for name in _ADDRESS_HEADERS
        if any(len(value) > MAX_HEADER_CHARS for value in raw_headers.all(name))
    ]


def message_date(raw_headers: RawHeaders) -> datetime | None:
    """Return the Date header as an aware datetime (UTC when the zone is unknown), or None."""
    raw = raw_headers.first("date").strip()
    if not raw or len(raw) > 200:
        return None
    try:
        moment = parsedate_to_datetime(raw)  # what the default policy's DateHeader uses
    except Exception:
        return None
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
