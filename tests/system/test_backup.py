"""`regard backup` and `regard restore` through the real command line, on the database CI
runs against: a restored instance has the same records and byte-identical attachments."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest

from tests.channels.mail import make_mail

PG = os.environ.get("DATABASE_URL", "").startswith("postgres")


def regard(*args, instance):
    data_dir, database_url = instance
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REGARD_", "DATABASE_URL"))}
    env.pop("REDIS_URL", None)
    env["REGARD_DATA_DIR"] = str(data_dir)
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "regard.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def instances(tmp_path):
    """Two fresh instances (data folders, and databases on PostgreSQL), dropped afterwards."""
    made = []
    if PG:
        base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        for _ in range(2):
            name = f"regard_backup_{uuid.uuid4().hex[:10]}"
            createdb = ["createdb", "-h", "127.0.0.1", "-U", "postgres", name]
            subprocess.run(createdb, check=True)  # noqa: S603
            made.append(name)
        urls = [f"{base}/{name}" for name in made]
    else:
        urls = ["", ""]
    yield [(tmp_path / "source", urls[0]), (tmp_path / "fresh", urls[1])]
    for name in made:
        dropdb = ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name]
        subprocess.run(dropdb, check=False)  # noqa: S603


def files_in(store: Path) -> dict[str, str]:
    return {
        p.relative_to(store).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in store.rglob("*")
        if p.is_file()
    }


def tampered_copy(backup: Path, target: Path) -> Path:
    shutil.copytree(backup, target)
    with tarfile.open(backup / "attachments.tar") as tar:
        names = tar.getnames()
    (target / "evil").write_bytes(b"tampered")
    with tarfile.open(target / "attachments.tar", "w") as tar:
        for name in names:
            tar.add(target / "evil", arcname=name)
    return target


def test_a_backup_restores_into_a_fresh_instance_and_bad_ones_are_refused(tmp_path, instances):
    source, fresh = instances
    mails = tmp_path / "mails"
    mails.mkdir()
    for n in range(3):
        attachment = [("report.pdf", "application/pdf", f"%PDF-{n} ü".encode())]
        (mails / f"{n}.eml").write_bytes(
            make_mail(message_id=f"m{n}@example.com", subject=f"Case {n}", attachments=attachment)
        )
    for args in (("migrate",), ("mail", "import", str(mails))):
        done = regard(*args, instance=source)
        assert done.returncode == 0, done.stderr
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "something").write_text("x")
    done = regard("backup", str(busy), instance=source)
    assert done.returncode != 0 and "is not empty" in done.stderr

    backup = tmp_path / "backup"
    done = regard("backup", str(backup), instance=source)
    assert done.returncode == 0, done.stderr
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["counts"]["conversations.Message"] == 3

    assert regard("migrate", instance=fresh).returncode == 0
    done = regard("restore", str(tmp_path), instance=fresh)
    assert done.returncode != 0 and "not a Regard backup" in done.stderr
    done = regard("restore", str(tampered_copy(backup, tmp_path / "bad")), instance=fresh)
    assert done.returncode != 0 and "checksum differs" in done.stderr

    done = regard("restore", str(backup), instance=fresh)
    assert done.returncode == 0, done.stderr
    assert "counts and checksums match the backup" in done.stdout
    assert files_in(fresh[0] / "attachments") == files_in(source[0] / "attachments")
    assert len(files_in(fresh[0] / "attachments")) == 3
    again = regard("restore", str(backup), instance=fresh)
    assert again.returncode != 0 and "already holds records" in again.stderr
