"""Decode bytes whose declared charset may be missing, wrong or unknown, never failing."""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence

# Labels seen in real mail mapped to the codec that actually decodes such mail.
_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "big5": "big5hkscs",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "iso-8859-8-i": "iso-8859-8",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "ansi_x3.4-1968": "utf-8",
    "utf8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "iso-2022-jp": "iso2022_jp_ext",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "x-mac-roman": "mac_roman",
    "macintosh": "mac_roman",
}
_JIS_ESCAPE = re.compile(rb"\x1b(\$@|\$B|\(B|\(J|\(I)")
_LATIN = frozenset({"cp1252", "latin-1", "iso8859-15", "ascii", "cp1250", "iso8859-2", "mac-roman"})
_UNKNOWN = frozenset({"", "x-unknown", "unknown", "unknown-8bit", "x-user-defined", "default"})
FALLBACKS = ("utf-8", "cp1252")
ISO2022JP_MS = "iso-2022-jp-ms"
# Mislabelled Japanese mail is common: Shift_JIS bytes declared as ISO-2022-JP and vice versa.
_NEIGHBOURS = {
    "iso2022_jp_ext": (ISO2022JP_MS, "iso2022_jp_2004", "cp932", "euc_jp"),
    "cp932": ("euc_jp",),
    "euc_jp": ("cp932",),
}


def codec_for(label: str | None) -> str | None:
    """Return a Python codec name for a MIME charset label, or None when it is unknown."""
    name = (label or "").strip().strip("\"'").lower()
    if name in _UNKNOWN:
        return None
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError, UnicodeError):  # unknown, NUL or surrogate in the label
        return None


def _jis_to_cp932(data: bytes) -> bytes:
    """Re-encode ISO-2022-JP as Shift_JIS, so cp932 decodes the vendor extensions (①, ㈱) that
    Japanese mailers put in "iso-2022-jp" mail and that Python's 7-bit codecs reject."""
    out, mode, pos = bytearray(), b"(B", 0
    for match in (*_JIS_ESCAPE.finditer(data), None):
        end = match.start() if match else len(data)
        chunk = data[pos:end]
        if mode in (b"$B", b"$@"):
            for j1, j2 in zip(chunk[::2], chunk[1::2], strict=False):
                s1 = ((j1 + 1) >> 1) + 0x70
                s2 = j2 + 0x1F + (j2 >= 0x60) if j1 & 1 else j2 + 0x7E
                out += bytes((s1 + 0x40 if s1 > 0x9F else s1, s2))
        elif mode == b"(I":
            out += bytes(b | 0x80 for b in chunk)
        else:
            out += chunk
        if match:
            mode, pos = match.group(1), match.end()
    return bytes(out)


def _strict_decode(data: bytes, codec: str) -> str | None:
    try:
        if codec == ISO2022JP_MS:
            return _jis_to_cp932(data).decode("cp932") if data.isascii() else None
        return data.decode(codec)
    except Exception:  # some codecs (utf-7, iso-2022) raise oddities on hostile input
        return None


def decode_bytes(data: bytes, label: str | None = None) -> tuple[str, str | None]:
    """Return (text, defect): `data` decoded by its label, else UTF-8, else cp1252, else latin-1."""
    codec = codec_for(label)
    candidates = (codec, *_NEIGHBOURS.get(codec, ()), *FALLBACKS) if codec else FALLBACKS
    for candidate in candidates:
        if candidate.startswith("iso2022") and not data.isascii():
            continue  # 7-bit codecs pass 8-bit bytes through instead of failing
        text = _strict_decode(data, candidate)
        if text is None:
            continue
        if candidate == codec or (codec is None and candidate == "utf-8"):
            return text, _unknown_label_defect(label, codec)
        return text, f"charset {label!r} did not decode; used {candidate}"
    return data.decode("latin-1"), f"charset {label!r} did not decode; used latin-1"


def _unknown_label_defect(label: str | None, codec: str | None) -> str | None:
    if codec or not label or label.strip().strip("\"'").lower() in _UNKNOWN:
        return None
    return f"unknown charset {label!r}; used utf-8"


def _hint_order(hints: Sequence[str]) -> list[str]:
    declared = [codec for codec in map(codec_for, hints) if codec]
    expanded = [name for codec in declared for name in (codec, *_NEIGHBOURS.get(codec, ()))]
    codecs_ = [codec for codec in expanded if not codec.startswith("iso2022")]
    return [c for c in codecs_ if c not in _LATIN] + [c for c in codecs_ if c in _LATIN]


def repair_surrogates(text: str, hints: Sequence[str] = ()) -> str:
    """Turn surrogate-escaped raw bytes (8-bit headers) back into text.

    Undeclared 8-bit header bytes are tried as UTF-8, then as each charset the message declares
    for its body (multi-byte ones first, since Latin codecs accept any bytes), then cp1252.
    """
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogateescape")
    for codec in ("utf-8", *_hint_order(hints)):
        text = _strict_decode(raw, codec)
        if text is not None:
            return text
    return decode_bytes(raw)[0]
