"""Attachment files, stored once per content (named by SHA-256) under the data folder.

The folder is never served directly: downloads go through a view that checks permission.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings


def blob_path(sha256: str) -> Path:
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return Path(settings.ATTACHMENTS_DIR) / sha256[:2] / sha256[2:4] / sha256


def store_blob(data: bytes) -> str:
    """Write `data` once (atomically) and return its SHA-256; storing it again is free."""
    digest = hashlib.sha256(data).hexdigest()
    path = blob_path(digest)
    if path.exists():
        return digest
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return digest


def read_blob(sha256: str) -> bytes:
    return blob_path(sha256).read_bytes()
