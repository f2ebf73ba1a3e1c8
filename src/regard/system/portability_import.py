"""`regard import`: restore an export into an empty database in one transaction, keeping every
id, and put the attachment files back into the content-addressed store."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import User
from django.core.management.color import no_style
from django.db import DatabaseError, IntegrityError, connection, models, transaction

from regard import __version__
from regard.accounts.models import Agent, Notification, Team
from regard.channels.models import Mailbox, RawMessage, ThreadReference
from regard.channels.web.portability import MODELS as WEBFORM_MODELS
from regard.commitments.models import Commitment
from regard.conversations.models import (
    Attachment,
    Conversation,
    Event,
    Message,
    SavedReply,
    Tag,
)
from regard.conversations.storage import blob_path
from regard.customers.models import Customer, CustomerNote, Identity, Moment, Organization
from regard.incidents.portability import MODELS as INCIDENT_MODELS
from regard.loyalty.portability import MODELS as LOYALTY_MODELS
from regard.service.models import BusinessCalendar, Holiday, Policy, ServiceClock
from regard.system.models import FailedTask
from regard.system.portability import (
    ATTACHMENTS,
    BATCH,
    FILES,
    FORMAT_VERSION,
    MANIFEST,
    PortabilityError,
)
from regard.system.portability_loaders import LOADERS, Record, Refs

Progress = Callable[[str, int, int], None]
MODELS = (
    User,
    Team,
    Agent,
    Mailbox,
    *WEBFORM_MODELS,
    Organization,
    Customer,
    Identity,
    CustomerNote,
    Moment,
    Tag,
    Conversation,
    RawMessage,
    Message,
    ThreadReference,
    Attachment,
    Commitment,
    Event,
    FailedTask,
    Notification,
    *INCIDENT_MODELS,
    *LOYALTY_MODELS,
    SavedReply,
    BusinessCalendar,
    Holiday,
    Policy,
    ServiceClock,
)
SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass
class ImportResult:
    counts: dict[str, int]
    attachment_files: int
    logins: list[str]
    mailboxes: list[str]


def import_dir(path: str | Path, progress: Progress | None = None) -> ImportResult:
    """Restore the export in `path`; the database must hold no Regard records yet."""
    path = Path(path)
    manifest = read_manifest(path)
    refuse_non_empty_database()
    files = _restore_attachment_files(path, progress)
    refs = Refs()
    try:
        with transaction.atomic(), _keep_timestamps():
            counts = _load_files(path, manifest, refs, progress)
            _reset_sequences()
    except IntegrityError as exc:
        raise PortabilityError(f"the export does not hold together: {_first_line(exc)}") from None
    return ImportResult(counts, files, sorted(refs.users), refs.mailboxes)


def read_manifest(path: Path) -> dict:
    if not path.is_dir():
        raise PortabilityError(f"{path} is not a folder")
    if not (path / MANIFEST).is_file():
        raise PortabilityError(
            f"{path} has no {MANIFEST}: not a Regard export, or an export that did not finish"
        )
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PortabilityError(f"{MANIFEST} is not valid JSON: {exc}") from None
    version = manifest.get("format_version") if isinstance(manifest, dict) else None
    if version != FORMAT_VERSION:
        raise PortabilityError(
            f"{MANIFEST} says format version {version!r}; "
            f"Regard {__version__} reads format version {FORMAT_VERSION}"
        )
    if not isinstance(manifest.get("counts"), dict):
        raise PortabilityError(f"{MANIFEST} has no counts: the export is incomplete")
    return manifest


def refuse_non_empty_database() -> None:
    try:
        counts = [(model._meta, model.objects.count()) for model in MODELS]
    except DatabaseError as exc:
        raise PortabilityError(
            f"the database is not ready ({_first_line(exc)}): run `regard migrate` first"
        ) from None
    found = [
        f"{count} {meta.verbose_name if count == 1 else meta.verbose_name_plural}"
        for meta, count in counts
        if count
    ]
    if found:
        raise PortabilityError(
            f"the database is not empty ({', '.join(found)}): "
            "import restores into a new, migrated database only"
        )


def _first_line(exc: Exception) -> str:
    return (str(exc).strip() or type(exc).__name__).splitlines()[0][:300]


@contextmanager
def _keep_timestamps() -> Iterator[None]:
    """bulk_create stamps auto_now(_add) fields with the current time; the export's must win."""
    stamped = [
        (f, f.auto_now, f.auto_now_add)
        for model in MODELS
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for f, _, _ in stamped:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in stamped:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _reset_sequences() -> None:
    """Rows came with their ids, so the sequences must move past them for new rows."""
    statements = connection.ops.sequence_reset_sql(no_style(), MODELS)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _restore_attachment_files(path: Path, progress: Progress | None) -> int:
    folder = path / ATTACHMENTS
    sources = (
        sorted(p for p in folder.iterdir() if SHA256.fullmatch(p.name)) if folder.is_dir() else []
    )
    for done, source in enumerate(sources, 1):
        try:
            _store_attachment(source)
        except OSError as exc:
            raise PortabilityError(f"cannot store {ATTACHMENTS}/{source.name}: {exc}") from None
        if progress:
            progress(ATTACHMENTS, done, len(sources))
    return len(sources)


def _store_attachment(source: Path) -> None:
    target = blob_path(source.name)
    if target.is_file():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    digest = hashlib.sha256()
    with source.open("rb") as reader, partial.open("wb") as writer:
        while block := reader.read(1 << 20):
            digest.update(block)
            writer.write(block)
    if digest.hexdigest() != source.name:
        partial.unlink()
        raise PortabilityError(
            f"{ATTACHMENTS}/{source.name} is damaged: its content does not match its name"
        )
    partial.replace(target)


def _load_files(path: Path, manifest: dict, refs: Refs, progress) -> dict[str, int]:
    counts = {}
    for name in FILES:
        counts[name] = _load_file(path, name, manifest, refs, progress)
        if name == "agents.jsonl":
            _set_team_leads(refs)
    return counts


def _load_file(path: Path, name: str, manifest: dict, refs: Refs, progress) -> int:
    expected = manifest["counts"].get(name)
    if not (path / name).is_file():
        if expected:
            raise PortabilityError(f"{name} is missing, the manifest lists {expected} records")
        return 0
    loader, batches, count = LOADERS[name], Batches(name), 0
    for number, data in _lines(path / name, name):
        try:
            batches.add(number, list(loader(Record(data), refs)))
        except (ValueError, TypeError) as exc:
            raise PortabilityError(f"{name} line {number}: {exc}") from None
        count += 1
        if progress and count % 1000 == 0:
            progress(name, count, expected or count)
    batches.flush()
    if progress:
        progress(name, count, expected or count)
    if expected is not None and count != expected:
        raise PortabilityError(f"{name} holds {count} records, the manifest says {expected}")
    return count


def _lines(file: Path, name: str) -> Iterator[tuple[int, dict]]:
    with file.open("rb") as source:
        for number, line in enumerate(source, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise PortabilityError(f"{name} line {number}: not valid JSON ({exc})") from None
            if not isinstance(data, dict):
                raise PortabilityError(f"{name} line {number}: not a JSON object")
            yield number, data


class Batches:
    """Rows waiting for bulk_create, by model, flushed in the order the models first came."""

    def __init__(self, name: str):
        self.name = name
        self.pending: dict[type[models.Model], list[models.Model]] = {}
        self.size = 0
        self.lines: list[int] = []

    def add(self, number: int, rows: list[models.Model]) -> None:
        for row in rows:
            self.pending.setdefault(type(row), []).append(row)
        self.size += len(rows)
        self.lines.append(number)
        if self.size >= BATCH:
            self.flush()

    def flush(self) -> None:
        try:
            for model, rows in self.pending.items():
                model.objects.bulk_create(rows, batch_size=BATCH)
        except DatabaseError as exc:
            where = f"lines {self.lines[0]}-{self.lines[-1]}" if self.lines else "end"
            raise PortabilityError(f"{self.name} {where}: {_first_line(exc)}") from None
        self.pending, self.size, self.lines = {}, 0, []


def _set_team_leads(refs: Refs) -> None:
    for team_id, username in refs.leads:
        try:
            agent_id = refs.agent(username)
        except ValueError as exc:
            raise PortabilityError(f"teams.jsonl: team lead: {exc}") from None
        Team.objects.filter(pk=team_id).update(lead_id=agent_id)
