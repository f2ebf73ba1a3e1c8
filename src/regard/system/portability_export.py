"""`regard export`: every record as JSON Lines, one file per kind, streamed from one consistent
snapshot of the database, with the attachment files and a manifest written last.

Each file is written under a partial name and renamed when whole, the manifest last of all: an
export killed midway has no manifest (import refuses it), and running it again into the same
folder starts over."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from regard import __version__
from regard.conversations.models import Attachment
from regard.conversations.storage import blob_path
from regard.system.portability import (
    ATTACHMENTS,
    CHUNK,
    FORMAT_VERSION,
    MANIFEST,
    PortabilityError,
    clear_unfinished,
    is_unfinished,
    iso,
    partial_name,
    publish,
    written_whole,
)
from regard.system.portability_serializers import Kind, Names, kinds

Progress = Callable[[str, int, int], None]
# Characters JSON leaves raw but some line splitters (str.splitlines) treat as line ends.
LINE_BREAKS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}


@dataclass
class ExportResult:
    path: Path
    counts: dict[str, int]
    attachment_files: int = 0
    missing_files: list[str] = field(default_factory=list)


def export_dir(path: str | Path, progress: Progress | None = None) -> ExportResult:
    """Write a complete export into `path`, a new or empty folder."""
    path = Path(path)
    _prepare(path)
    with _snapshot():
        names = Names.load()
        counts = {}
        for name, kind in kinds().items():
            counts[name] = _write(path / name, kind, names, progress)
        copied, missing = _copy_attachment_files(path, progress)
    _write_manifest(path, counts, copied, missing)
    return ExportResult(path, counts, copied, missing)


def _prepare(path: Path) -> None:
    if path.exists() and not path.is_dir():
        raise PortabilityError(f"{path} is a file, not a folder")
    if path.exists() and any(path.iterdir()):
        if not is_unfinished(path, [*kinds(), MANIFEST], folders=[ATTACHMENTS]):
            raise PortabilityError(f"{path} is not empty: export into a new or empty folder")
        clear_unfinished(path)  # what an export killed midway left: start over
    try:
        (path / ATTACHMENTS).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PortabilityError(f"cannot create {path}: {exc.strerror or exc}") from None


@contextmanager
def _snapshot() -> Iterator[None]:
    """One read transaction, so a record never points at one written after its file was done."""
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "sqlite":
        # Our SQLite transactions begin IMMEDIATE, which would lock writers out for the
        # whole export; a deferred read transaction in WAL mode sees one snapshot instead.
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _write(target: Path, kind: Kind, names: Names, progress: Progress | None) -> int:
    total = kind.rows.count() if progress else 0
    count = 0
    with written_whole(target, encoding="utf-8", newline="\n") as out:
        for rows in _chunks(kind.rows, kind.chunk):
            related = kind.related([row["id"] for row in rows]) if kind.related else {}
            out.writelines(_line(kind.serialize(row, names, related)) for row in rows)
            count += len(rows)
            if progress:
                progress(target.name, count, total)
    if progress:
        progress(target.name, count, total)
    return count


def _chunks(rows: QuerySet, size: int) -> Iterator[list[dict]]:
    """Rows in id order, a chunk at a time: each chunk is one short query, memory stays flat."""
    last = None
    while True:
        page = rows if last is None else rows.filter(pk__gt=last)
        chunk = list(page.order_by("pk")[:size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1]["id"]


def _line(record: dict) -> str:
    text = json.dumps(record, ensure_ascii=False)
    for char, escaped in LINE_BREAKS.items():
        if char in text:
            text = text.replace(char, escaped)
    return text + "\n"


def _copy_attachment_files(path: Path, progress) -> tuple[int, list[str]]:
    digests = Attachment.objects.order_by("sha256").values_list("sha256", flat=True).distinct()
    total = digests.count() if progress else 0
    copied, missing = 0, []
    for sha256 in digests.iterator(chunk_size=CHUNK):
        if _is_stored(sha256):
            target = path / ATTACHMENTS / sha256
            shutil.copyfile(blob_path(sha256), partial_name(target))
            # One fsync a file would cost minutes for 100,000 files: all reach the disk at
            # once before the manifest is written (os.sync below).
            publish(partial_name(target), target, sync=False)
            copied += 1
        else:
            missing.append(sha256)
        if progress:
            progress(ATTACHMENTS, copied + len(missing), total)
    if copied:
        os.sync()
    return copied, missing


def _is_stored(sha256: str) -> bool:
    try:
        return blob_path(sha256).is_file()
    except ValueError:
        return False


def _write_manifest(path: Path, counts: dict[str, int], copied: int, missing: list[str]) -> None:
    manifest = {
        "format": "regard-export",
        "format_version": FORMAT_VERSION,
        "regard_version": __version__,
        "exported_at": iso(timezone.now()),
        "database": connection.vendor,
        "counts": counts,
        "attachment_files": copied,
        "missing_attachment_files": missing,
    }
    with written_whole(path / MANIFEST, encoding="utf-8") as out:
        out.write(json.dumps(manifest, indent=2) + "\n")
