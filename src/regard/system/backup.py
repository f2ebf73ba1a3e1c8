"""`regard backup` and `regard restore`: the whole database and the attachment store, as they
are, for disaster recovery (the JSON Lines export is for moving data between systems).

A backup is a folder: `database.sqlite3` (SQLite's online backup API, consistent while Regard
runs) or `database.pgdump` (`pg_dump --format=custom`), `attachments.tar` (the content-addressed
files), and `manifest.json` with record counts and the SHA-256 of every attachment file, which
`restore` checks before it reports success.

Each file is written under a partial name and renamed when whole, the manifest last: a backup
killed midway has no manifest (restore refuses it), and running it again into the same folder
starts over.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from regard import __version__
from regard.system.portability import (
    clear_unfinished,
    is_unfinished,
    partial_name,
    publish,
    written_whole,
)

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
ATTACHMENTS_TAR = "attachments.tar"
OWN_FILES = (SQLITE_FILE, PG_FILE, ATTACHMENTS_TAR)


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why in one line."""


@dataclass(frozen=True)
class Outcome:
    path: Path
    counts: dict[str, int]
    files: int


def backup(target: str | Path) -> Outcome:
    path = Path(target)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        if not path.is_dir() or not is_unfinished(path, [*OWN_FILES, MANIFEST]):
            raise BackupError(f"{path} is not empty: back up into a new or empty folder")
        clear_unfinished(path)  # what a backup killed midway left: start over
    path.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        _sqlite_backup(path / SQLITE_FILE)
        database = SQLITE_FILE
    elif connection.vendor == "postgresql":
        _pg_dump(path / PG_FILE)
        database = PG_FILE
    else:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {connection.vendor}")
    files = _tar_attachments(path / ATTACHMENTS_TAR)
    counts = record_counts()
    manifest = {
        "regard_version": __version__,
        "created_at": timezone.now().isoformat(),
        "database": database,
        "counts": counts,
        "attachments": files,
    }
    with written_whole(path / MANIFEST) as out:
        out.write(json.dumps(manifest, indent=2, sort_keys=True))
    return Outcome(path, counts, len(files))


def restore(source: str | Path) -> Outcome:
    """Replace this instance's (empty) database and attachment store with the backup's."""
    path = Path(source)
    manifest = _read_manifest(path)
    if any(model.objects.exists() for model in _models()):
        raise BackupError("this database already holds records: restore into a fresh instance")
    database = manifest.get("database")
    if (connection.vendor, database) not in (("sqlite", SQLITE_FILE), ("postgresql", PG_FILE)):
        raise BackupError(
            f"the backup holds {database}, which cannot be restored into {connection.vendor}"
        )
    store = Path(settings.ATTACHMENTS_DIR)
    store.mkdir(parents=True, exist_ok=True)
    # Everything is checked before anything changes: a damaged backup leaves this instance as is.
    with tempfile.TemporaryDirectory(dir=store.parent) as scratch:
        found = _unpack_attachments(
            path / ATTACHMENTS_TAR, manifest.get("attachments", {}), Path(scratch)
        )
        if database == SQLITE_FILE:
            _sqlite_restore(path / SQLITE_FILE)
        else:
            _pg_restore(path / PG_FILE)
        for name, file in found.items():
            destination = store / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(file, destination)
    files = len(found)
    counts = record_counts()
    if counts != manifest["counts"]:
        differ = sorted(
            k
            for k in counts.keys() | manifest["counts"].keys()
            if counts.get(k) != manifest["counts"].get(k)
        )
        raise BackupError(f"restored record counts differ from the backup's: {', '.join(differ)}")
    return Outcome(path, counts, files)


def record_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in _models()}


def _models():
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_config.name.startswith("regard.") or m._meta.label == "auth.User"
    ]


def _read_manifest(path: Path) -> dict:
    if not (path / MANIFEST).is_file():
        raise BackupError(
            f"{path} has no {MANIFEST}: not a Regard backup, or one that did not finish"
        )
    try:
        manifest = json.loads((path / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{MANIFEST} cannot be read: {exc}") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("counts"), dict):
        raise BackupError(f"{MANIFEST} is not a Regard backup manifest")
    return manifest


def _sqlite_backup(target: Path) -> None:
    connection.ensure_connection()
    partial = partial_name(target)
    destination = sqlite3.connect(partial)
    try:
        connection.connection.backup(destination)
    finally:
        destination.close()
    publish(partial, target)


def _sqlite_restore(source: Path) -> None:
    if not source.is_file():
        raise BackupError(f"{source.name} is missing from the backup")
    connection.ensure_connection()
    origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        check = origin.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"{source.name} is damaged: {check}")
        origin.backup(connection.connection)
    finally:
        origin.close()


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = connections["default"].settings_dict
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]  # never on the command line, where ps shows it
    args = ["--host", db.get("HOST") or "localhost", "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    return [*args, "--dbname", db["NAME"]], env


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is not installed (Debian: apt-get install postgresql-client)"
        )
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip().splitlines()[-1:]}")


def _pg_dump(target: Path) -> None:
    args, env = _pg_env()
    partial = partial_name(target)
    _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(partial), *args], env)
    publish(partial, target)


def _pg_restore(source: Path) -> None:
    if not source.is_file():
        raise BackupError(f"{source.name} is missing from the backup")
    args, env = _pg_env()
    connections.close_all()
    # The fresh instance has the schema from `migrate`: replace it with the backup's.
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            *args,
            str(source),
        ],
        env,
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tar_attachments(target: Path) -> dict[str, str]:
    store = Path(settings.ATTACHMENTS_DIR)
    files = {}
    with written_whole(target, "wb") as out, tarfile.open(fileobj=out, mode="w") as tar:
        if store.is_dir():
            for file in sorted(p for p in store.rglob("*") if p.is_file()):
                name = file.relative_to(store).as_posix()
                files[name] = _sha256(file)
                tar.add(file, arcname=name)
    return files


def _unpack_attachments(source: Path, expected: dict[str, str], scratch: Path) -> dict[str, Path]:
    """The backup's attachment files unpacked into `scratch`, each checked against the manifest."""
    if not source.is_file():
        raise BackupError(f"{source.name} is missing from the backup")
    try:
        with tarfile.open(source) as tar:
            tar.extractall(scratch, filter="data")  # refuses absolute paths, links out, devices
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{source.name} cannot be read: {exc}") from None
    found = {p.relative_to(scratch).as_posix(): p for p in scratch.rglob("*") if p.is_file()}
    if set(found) != set(expected):
        raise BackupError(f"{source.name} does not hold the files the manifest lists")
    for name, file in found.items():
        if _sha256(file) != expected[name]:
            raise BackupError(f"attachment {name} is damaged: its checksum differs")
    return found
