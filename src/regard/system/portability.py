"""What `regard export` and `regard import` share: the format version, the files in dependency
order, where attachment files live, and the one error both raise; and how `export` and `backup`
write files so that a killed run never leaves one that looks complete."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import IO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from regard.channels.web.portability import FILES as WEBFORM_FILES
from regard.loyalty.portability import FILES as LOYALTY_FILES
from regard.loyalty.portability import NOT_EXPORTED as LOYALTY_NOT_EXPORTED

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
ATTACHMENTS = "attachments"
# Import reads them in this order, so every record finds what it points to already there.
FILES = (
    "teams.jsonl",
    "users.jsonl",
    "agents.jsonl",
    "organizations.jsonl",
    "mailboxes.jsonl",
    *WEBFORM_FILES,
    "customers.jsonl",
    "identities.jsonl",
    "customer_notes.jsonl",
    "moments.jsonl",
    "tags.jsonl",
    "conversations.jsonl",
    "raw_messages.jsonl",
    "messages.jsonl",
    "commitments.jsonl",
    "events.jsonl",
    "failed_tasks.jsonl",
    "notifications.jsonl",
    "incidents.jsonl",
    "incident_affected.jsonl",
    "incident_group_concierges.jsonl",
    "incident_suggestions.jsonl",
    "incident_updates.jsonl",
    "incident_deliveries.jsonl",
    "business_calendars.jsonl",
    "service_policies.jsonl",
    "service_clocks.jsonl",
    "saved_replies.jsonl",
    *LOYALTY_FILES,
)
# Models that hold only seconds-long state, never worth restoring.
NOT_EXPORTED = (
    "conversations.Presence",
    "system.RateCounter",
    # Portal sign-in links: single use, valid for minutes.
    "portal.PortalLink",
    # A chat visitor's session (token nonce, typing): its conversation and messages are exported.
    "chat.ChatSession",
    # API tokens are credentials of this instance: a new instance issues its own.
    "api.ApiToken",
    # Webhooks carry this instance's signing secrets, and their deliveries are a send log: the
    # new instance's admin adds its receivers again (and hands them the new secrets).
    "hooks.Webhook",
    "hooks.WebhookDelivery",
    *LOYALTY_NOT_EXPORTED,
)
BATCH = 1000
CHUNK = 2000


class PortabilityError(Exception):
    """An export or import cannot go on; the message says why in one line."""


def iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def parse_datetime(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no UTC offset")
    return parsed


def parse_date(value: str) -> date:
    return date.fromisoformat(value)


@contextmanager
def progress_bar(console: Console | None = None) -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress display with one bar per file; yields the callback that moves them."""
    columns = (TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console or Console(stderr=True)) as progress:
        bars = {}

        def update(name: str, done: int, total: int) -> None:
            if name not in bars:
                bars[name] = progress.add_task(name, total=total)
            progress.update(bars[name], completed=done, total=total)

        yield update


def summary(counts: dict[str, int], attachment_files: int) -> str:
    """One line for people: '1,204 records (3 agents, 80 customers, …) and 12 attachment files'."""
    kinds = ", ".join(f"{n:,} {name.removesuffix('.jsonl')}" for name, n in counts.items() if n)
    return (
        f"{sum(counts.values()):,} records ({kinds or 'none'}) "
        f"and {attachment_files:,} attachment files"
    )


# A file being written carries this suffix until it is whole; then it is renamed into place.
PARTIAL = ".partial"


def partial_name(target: Path) -> Path:
    return target.with_name(target.name + PARTIAL)


@contextmanager
def written_whole(target: Path, mode: str = "w", **open_args) -> Iterator[IO]:
    """Open `target` for writing under its partial name; renamed to `target` only once every
    byte is written and on disk. A run killed midway leaves the partial name, never `target`."""
    partial = partial_name(target)
    try:
        with partial.open(mode, **open_args) as out:
            yield out
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    publish(partial, target)


def publish(partial: Path, target: Path, *, sync: bool = True) -> None:
    """Rename a finished `partial` file to `target`, durably: its bytes reach the disk first, and
    the folder's entry after (a rename is atomic, so `target` is old or whole, never half).
    Without `sync` only the rename is done; the caller makes many files durable at once."""
    if not sync:
        os.replace(partial, target)
        return
    with partial.open("rb") as written:
        os.fsync(written.fileno())
    os.replace(partial, target)
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def is_unfinished(path: Path, names: Collection[str], folders: Collection[str] = ()) -> bool:
    """Whether `path` holds only what a killed run left: no manifest, and nothing but `names`
    (whole or partial) and `folders` holding files. Anything else there is someone's, and kept."""
    if (path / MANIFEST).exists():
        return False
    for entry in path.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            if entry.name not in folders or any(p.is_dir() for p in entry.iterdir()):
                return False
        elif not any(entry.name == n or entry.name.startswith(n + PARTIAL) for n in names):
            return False
    return True


def clear_unfinished(path: Path) -> None:
    """Remove what `is_unfinished` found, so the run starts over in the same folder."""
    for entry in path.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
