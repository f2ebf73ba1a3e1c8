"""A real browser (Debian's Chromium driven by Playwright) and a real Regard server."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.channels.servers import free_port, wait_for_port

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LOGIN_LINE = re.compile(r"^login: (\S+) password: (\S+) role: (\S+)$", re.MULTILINE)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("needs Debian's chromium: apt-get install -y chromium (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def demo_server():
    """`regard demo` exactly as the README runs it (SQLite, nothing else), on a free port."""
    # Not under pytest's basetemp: another pytest run on the machine may prune that meanwhile.
    folder = Path(tempfile.mkdtemp(prefix="regard-demo-"))
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL"} and not k.startswith("REGARD_")
    }
    env["REGARD_DATA_DIR"] = str(folder / "var")
    port = free_port()
    log = folder / "demo.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "regard.cli", "demo", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    try:
        wait_for_port(port, timeout=240, process=process)
        deadline = time.monotonic() + 30
        while not LOGIN_LINE.search(log.read_text()) and time.monotonic() < deadline:
            time.sleep(0.2)
        logins = {
            role: (user, password) for user, password, role in LOGIN_LINE.findall(log.read_text())
        }
        yield {"url": f"http://127.0.0.1:{port}", "logins": logins, "log": log}
        if process.poll() is not None:
            print(log.read_text()[-5000:])  # noqa: T201 - shown by pytest when a test failed
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def page(browser):
    """A page at 1280×900 that keeps script errors and failed responses in `page.problems`
    (files whose tests need something else define their own)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.on(
        "response",
        lambda r: r.status >= 400 and "/favicon.ico" not in r.url and page.problems.append(r.url),
    )
    yield page
    context.close()
