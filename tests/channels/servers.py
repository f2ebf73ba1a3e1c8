"""Real mail servers for tests: Dovecot (IMAP) in a temporary folder, and SMTP sinks."""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from imapclient import IMAPClient

DOVECOT_CONF = """\
protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/run
log_path = {d}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{d}/mail/%u
first_valid_uid = 100
default_login_user = dovenull
default_internal_user = dovecot
default_internal_group = dovecot
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={d}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
}}
"""
USERS = {"support": "secret", "customer": "secret", "sales": "secret"}


def _ephemeral_ports() -> range:
    """The ports the kernel hands to outgoing connections as their local end."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return range(int(low), int(high) + 1)
    except (OSError, ValueError):
        return range(32768, 61000)


_EPHEMERAL = _ephemeral_ports()
_CHOSEN: set[int] = set()


def free_port() -> int:
    """A port nothing listens on, below the ephemeral range: a port chosen there and released
    can be taken as the local end of any outgoing connection before the server binds it."""
    candidates = [port for port in range(20000, 32000) if port not in _EPHEMERAL]
    for port in random.sample(candidates, len(candidates)):
        if port in _CHOSEN:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _CHOSEN.add(port)
        return port
    raise RuntimeError("no free port between 20000 and 32000")


def wait_for_port(port: int, timeout: float = 10, process: subprocess.Popen | None = None) -> None:
    """Wait until something listens on `port`; with `process`, fail as soon as it has ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        if process is not None and process.poll() is not None:
            code = process.returncode
            raise RuntimeError(f"the server for 127.0.0.1:{port} ended (exit {code}) unheard")
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout:g} s")


class Dovecot:
    def __init__(self, folder: Path):
        if not shutil.which("dovecot"):
            pytest.skip("needs Dovecot: apt-get install -y dovecot-imapd (.ci/run installs it)")
        self.folder = folder
        self.port = free_port()
        folder.chmod(0o755)
        (folder / "mail").mkdir()
        (folder / "users").write_text(
            "".join(f"{user}:{{PLAIN}}{password}\n" for user, password in USERS.items())
        )
        self.conf = folder / "dovecot.conf"
        self.conf.write_text(DOVECOT_CONF.format(d=folder, port=self.port))
        shutil.chown(folder / "mail", "dovecot", "dovecot")

    def start(self) -> Dovecot:
        subprocess.run(["dovecot", "-c", str(self.conf)], check=True)  # noqa: S603,S607
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        pid_file = self.folder / "run" / "master.pid"
        pid = int(pid_file.read_text()) if pid_file.exists() else None
        subprocess.run(["doveadm", "-c", str(self.conf), "stop"], check=False)  # noqa: S603,S607
        for _ in range(100):
            if pid is None or not Path(f"/proc/{pid}").exists():
                return
            time.sleep(0.05)
        os.kill(pid, 9)

    def client(self, user: str) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        client.login(user, USERS[user])
        return client

    def append(self, user: str, data: bytes, folder: str = "INBOX") -> None:
        with self.client(user) as client:
            client.append(folder, data)

    def messages(self, user: str, folder: str = "INBOX") -> list[bytes]:
        with self.client(user) as client:
            client.select_folder(folder)
            uids = client.search(["ALL"])
            fetched = client.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
            return [fetched[uid][b"BODY[]"] for uid in uids]


class MailboxDelivery:
    """An SMTP server that delivers what it receives into a Dovecot user's INBOX."""

    def __init__(self, dovecot: Dovecot, user: str):
        self.dovecot, self.user = dovecot, user

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.dovecot.append(self.user, envelope.content)
        return "250 Delivered"


class Collect:
    """An SMTP server's handler that keeps every message: (recipients, raw bytes)."""

    def __init__(self):
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Kept"


def start_smtp_sink(handler, port: int | None = None) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    return controller


def swaks(port: int, data: bytes, tmp_path: Path, *, sender: str, to: str) -> None:
    """Send raw `data` with swaks, a real independent SMTP client."""
    if not shutil.which("swaks"):
        pytest.skip("needs swaks: apt-get install -y swaks (.ci/run installs it)")
    path = tmp_path / f"mail-{time.monotonic_ns()}.eml"
    path.write_bytes(data)
    result = subprocess.run(  # noqa: S603
        [
            "swaks",
            "--server",
            f"127.0.0.1:{port}",
            "--from",
            sender,
            "--to",
            to,  # noqa: S607
            "--data",
            f"@{path}",
            "--suppress-data",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stdout + result.stderr
