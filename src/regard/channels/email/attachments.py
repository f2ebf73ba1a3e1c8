"""Attachments of a parsed e-mail: safe file names, hashes and blocking of dangerous types."""

from __future__ import annotations

import hashlib
import mimetypes
import re
import unicodedata
from dataclasses import dataclass

from .charsets import repair_surrogates

BLOCKED_EXTENSIONS = frozenset(
    {"exe", "bat", "js", "jse", "vbs", "vbe", "scr", "msi", "msp", "com", "cmd", "ps1", "jar"}
    | {"pif", "cpl", "hta", "wsf", "wsh", "lnk", "reg", "dll", "application", "gadget", "psm1"}
    | {"docm", "dotm", "xlsm", "xltm", "xlam", "pptm", "potm", "ppsm", "ppam", "sldm"}
)
BLOCKED_CONTENT_TYPES = frozenset(
    {
        "application/x-msdownload",
        "application/x-msdos-program",
        "application/x-ms-installer",
        "application/x-msi",
        "application/x-bat",
        "application/x-javascript",
        "application/javascript",
        "application/java-archive",
        "application/x-java-archive",
        "application/hta",
        "text/vbscript",
        "application/x-vbscript",
    }
)
MAX_FILENAME_CHARS = 200
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")
_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/jpg": ".jpg",
    "image/pjpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "text/html": ".html",
    "video/quicktime": ".mov",
    "application/pdf": ".pdf",
    "application/octet-stream": "",
    "message/rfc822": ".eml",
    "message/delivery-status": ".txt",
    "message/feedback-report": ".txt",
    "text/rfc822-headers": ".txt",
    "text/calendar": ".ics",
    "text/plain": ".txt",
    "application/ms-tnef": ".dat",
}


@dataclass(frozen=True, slots=True)
class ParsedAttachment:
    """One attachment or inline part as the pipeline stores it."""

    filename: str
    content_type: str
    data: bytes
    size: int
    sha256: str
    content_id: str | None
    inline: bool
    blocked: bool


def extension_for(content_type: str) -> str:
    """Return a file extension (with dot) for a MIME type, or "" when none is known."""
    if content_type in _EXTENSIONS:
        return _EXTENSIONS[content_type]
    return mimetypes.guess_extension(content_type) or ""


def fallback_name(content_type: str, content_id: str | None) -> str:
    """Name a nameless part: its Content-ID when that looks like a file name, else its type."""
    local = (content_id or "").partition("@")[0]
    if "." in local.strip("."):
        return local
    major = content_type.partition("/")[0]
    stem = (
        major if major in ("image", "video", "audio") else "document" if major == "text" else "file"
    )
    return stem + extension_for(content_type)


def unique_name(name: str, taken: set[str]) -> str:
    """Return `name`, numbered before its extension when already taken ("video1.mov")."""
    stem, dot, ext = name.rpartition(".")
    stem, ext = (stem, dot + ext) if stem else (name, "")
    candidate, number = name, 0
    while candidate in taken:
        number += 1
        candidate = f"{stem}{number}{ext}"
    taken.add(candidate)
    return candidate


def safe_filename(name: str | None, content_type: str = "application/octet-stream") -> str:
    """Return a file name without directories or control characters, never empty."""
    name = repair_surrogates(name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    name = _UNSAFE.sub("_", name).strip(" .")
    if not name:
        name = "attachment" + extension_for(content_type)
    if len(name) > MAX_FILENAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        keep = ext if dot and len(ext) <= 10 else ""
        name = name[: MAX_FILENAME_CHARS - len(keep) - 1].rstrip(" .") + (
            "." + keep if keep else ""
        )
    return name


def is_blocked(filename: str, content_type: str) -> bool:
    """Return True for executables, scripts and macro-enabled office documents."""
    ext = filename.rpartition(".")[2].lower() if "." in filename else ""
    ctype = content_type.lower()
    return ext in BLOCKED_EXTENSIONS or ctype in BLOCKED_CONTENT_TYPES or "macroenabled" in ctype


def make_attachment(
    data: bytes, filename: str | None, content_type: str, content_id: str | None, inline: bool
) -> ParsedAttachment:
    """Build a ParsedAttachment, sanitising the name and hashing the data."""
    name = safe_filename(filename, content_type)
    return ParsedAttachment(
        filename=name,
        content_type=content_type,
        data=data,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content_id=content_id,
        inline=inline,
        blocked=is_blocked(name, content_type),
    )
