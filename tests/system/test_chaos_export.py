"""`regard export` and `regard backup` killed with SIGKILL midway, at seeded random moments: the
folder never holds a file that looks complete but is not, and running the command again into
the same folder finishes with the same record counts as a run nobody disturbed."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import tarfile
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from regard.conversations.models import Attachment, Conversation, Message
from regard.conversations.storage import store_blob
from regard.customers.models import Customer, Identity
from regard.system.portability import PARTIAL
from regard.system.workers import regard_command
from tests.incidents.test_broadcast_workers import database_url, wait_for

SEED = int(os.environ.get("REGARD_CHAOS_SEED", "20261202"))
ROUNDS = 4
CUSTOMERS = 1500
MESSAGES_EACH = 6
ATTACHMENTS = 400
BATCH = 500
TEXT = "My parcel 4471 has not arrived and the tracking page has said the same thing for days. "


def seed_workspace() -> None:
    """Enough records that an export or a backup takes a while after the command has started."""
    now = timezone.now()
    for start in range(0, CUSTOMERS, BATCH):
        customers = Customer.objects.bulk_create(
            Customer(display_name=f"Customer {n}", language="en")
            for n in range(start, min(start + BATCH, CUSTOMERS))
        )
        identities = Identity.objects.bulk_create(
            Identity(customer=c, kind="email", value=f"c{c.pk}@example.com") for c in customers
        )
        conversations = Conversation.objects.bulk_create(
            Conversation(customer=c, subject=f"Parcel {c.pk}", status="open", created_at=now)
            for c in customers
        )
        Message.objects.bulk_create(
            Message(
                conversation=conversation,
                direction="inbound",
                channel="email",
                sender=identity,
                subject=conversation.subject,
                text_full=TEXT * 6,
                text_new=TEXT,
                external_id=f"m{conversation.pk}-{n}@example.com",
                created_at=now - timedelta(minutes=n),
            )
            for conversation, identity in zip(conversations, identities, strict=True)
            for n in range(MESSAGES_EACH)
        )
    messages = Message.objects.order_by("pk")[:ATTACHMENTS]
    Attachment.objects.bulk_create(
        Attachment(message=m, filename="label.pdf", size=len(data), sha256=store_blob(data))
        for m, data in ((m, f"%PDF label {m.pk} ".encode() * 200) for m in messages)
    )


def start(command: str, folder: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url(), "REGARD_DATA_DIR": str(settings.DATA_DIR)}
    return subprocess.Popen(  # noqa: S603
        regard_command(command, "--verbosity", "0", str(folder)),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its pg_dump too goes down with it
    )


def started_writing(folder: Path) -> bool:
    return folder.is_dir() and any(folder.iterdir())


def run_undisturbed(command: str, folder: Path) -> float:
    """Run to the end; returns how long it worked after its first file appeared."""
    process = start(command, folder)
    wait_for(lambda: started_writing(folder) or process.poll() is not None, 60, "a first file")
    began = time.monotonic()
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr.decode()
    return time.monotonic() - began


def kill_midway(command: str, folder: Path, after: float) -> bool:
    """Start the command, kill it `after` seconds into its writing; whether it had not finished
    (no manifest: a run writes it last)."""
    process = start(command, folder)
    try:
        wait_for(lambda: started_writing(folder) or process.poll() is not None, 60, "a file")
        time.sleep(after)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate(timeout=30)
    return not (folder / "manifest.json").exists()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_export_leftovers(folder: Path, reference: Path) -> None:
    """Every file under its final name is the whole file an undisturbed export wrote."""
    for path in folder.rglob("*"):
        if path.is_dir() or path.name.endswith(PARTIAL):
            continue
        if path.name == "manifest.json":
            assert json.loads(path.read_text())["counts"] == manifest_counts(reference)
        else:  # the same records in the same order: the same bytes
            relative = path.relative_to(folder)
            assert sha256(path) == sha256(reference / relative), f"{relative} is incomplete"


def check_backup_leftovers(folder: Path, reference: Path) -> None:
    for path in folder.iterdir():
        if path.name.endswith(PARTIAL):
            continue
        if path.name == "manifest.json":
            assert json.loads(path.read_text())["counts"] == manifest_counts(reference)
        elif path.name == "attachments.tar":
            with tarfile.open(path) as tar:
                names = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
            with tarfile.open(reference / path.name) as tar:
                assert len(names) == len(tar.getnames()), "attachments.tar is incomplete"
        elif path.name == "database.sqlite3":
            whole = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
            try:
                assert whole.execute("PRAGMA integrity_check").fetchone() == ("ok",)
                table = Message._meta.db_table
                count = whole.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            finally:
                whole.close()
            assert count == manifest_counts(reference)["conversations.Message"]
        elif path.name == "database.pgdump":  # pg_restore reads every block of a whole dump
            done = subprocess.run(  # noqa: S603
                ["pg_restore", "--file", os.devnull, str(path)],  # noqa: S607
                capture_output=True,
                check=False,
            )
            assert done.returncode == 0, f"database.pgdump is incomplete: {done.stderr!r}"
        else:
            raise AssertionError(f"unexpected {path.name} in the backup folder")


def manifest_counts(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())["counts"]


CHECKS = {"export": check_export_leftovers, "backup": check_backup_leftovers}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("command", ["export", "backup"])
def test_a_killed_run_leaves_nothing_that_looks_complete_and_a_rerun_finishes(command, tmp_path):
    chance = random.Random(f"{SEED}-{command}")
    seed_workspace()
    reference = tmp_path / "undisturbed"
    work = run_undisturbed(command, reference)

    midway = kills = 0
    for round_ in range(ROUNDS):
        folder = tmp_path / f"killed{round_}"
        for _ in range(1 + round_ % 2):  # every other round, a second kill on the first's leavings
            kills += 1
            unfinished = kill_midway(command, folder, chance.uniform(0.05, 0.9) * work)
            CHECKS[command](folder, reference)
            if not unfinished:  # it finished just before the kill: nothing to run again
                break
            midway += 1
        else:
            rerun = start(command, folder)
            _, stderr = rerun.communicate(timeout=120)
            assert rerun.returncode == 0, (stderr.decode(), sorted(os.listdir(folder)))
        assert manifest_counts(folder) == manifest_counts(reference)
        assert not list(folder.rglob(f"*{PARTIAL}*")), "partial files left behind"
        CHECKS[command](folder, reference)
    print(f"{command}: {work:.2f} s of writing, {midway} of {kills} kills landed midway")
    assert midway >= kills // 2, "most kills must land while it works"
