"""Reading messages to import from .eml files, mbox files and Maildir folders."""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from pathlib import Path


class UnreadableSource(ValueError):
    """A path that is not an .eml file, an mbox file or a Maildir folder."""


def read_messages(path: Path) -> Iterator[tuple[str, bytes]]:
    """Yield (label, raw bytes) for every message under `path`, one at a time."""
    if path.is_dir():
        if (path / "cur").is_dir() and (path / "new").is_dir():
            yield from _maildir(path)
            return
        for child in sorted(path.rglob("*")):
            if child.is_file() and child.suffix.lower() in {".eml", ".box", ".msg", ".mbox"}:
                yield from read_messages(child)
        return
    if not path.is_file():
        raise UnreadableSource(f"{path}: no such file or folder")
    with path.open("rb") as handle:
        head = handle.read(5)
    if head == b"From " and path.suffix.lower() not in {".eml"}:
        yield from _mbox(path)
    else:
        yield str(path), path.read_bytes()


def _mbox(path: Path) -> Iterator[tuple[str, bytes]]:
    box = mailbox.mbox(path, create=False)
    try:
        for key in box.iterkeys():
            yield f"{path}#{key}", box.get_bytes(key, from_=False)
    finally:
        box.close()


def _maildir(path: Path) -> Iterator[tuple[str, bytes]]:
    box = mailbox.Maildir(path, factory=None, create=False)
    for key in sorted(box.iterkeys()):
        yield f"{path}/{key}", box.get_bytes(key)
