"""Shared fixtures: agents of every role, and the shared corpora location.

Imports of Django models stay inside fixtures so pure-function tests also run without Django.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPORA = SHARED / "corpora"


def corpus(name: str) -> Path:
    """The path of a shared corpus, skipping the test with a clear reason when it is absent."""
    path = CORPORA / name
    if not path.exists():
        pytest.skip(f"needs ../shared/corpora/{name} beside the repository (CI always has it)")
    return path


@pytest.fixture
def team(db):
    from tests.factories import make_team

    return make_team("Orders")


@pytest.fixture
def agent(team):
    from tests.factories import make_agent

    return make_agent("dana", teams=[team], display_name="Dana Reyes")


@pytest.fixture
def supervisor(db):
    from regard.accounts.choices import Role
    from tests.factories import make_agent

    return make_agent("sam", role=Role.SUPERVISOR, display_name="Sam Lee")


@pytest.fixture
def admin_agent(db):
    from regard.accounts.choices import Role
    from tests.factories import make_agent

    return make_agent("ada", role=Role.ADMIN, display_name="Ada Admin")


@pytest.fixture
def light_agent(team):
    from regard.accounts.choices import Role
    from tests.factories import make_agent

    return make_agent("lee", role=Role.LIGHT_AGENT, teams=[team], display_name="Lee Light")


@pytest.fixture(autouse=True)
def no_login_throttling(settings):
    """The test client's login() gives no request, which django-axes needs: it is tested on its
    own in tests/web/test_login.py with real requests."""
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def fresh_inbox_counts(settings):
    """Kept counts would outlive a test's rolled-back rows (SQLite reuses their ids); keeping is
    tested on its own in tests/web/test_inbox_counts.py."""
    settings.INBOX_COUNTS_SECONDS = 0


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs ~0.3 s a login; tests only need passwords that work."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture(scope="module")
def chromium():
    """A browser of the module's own, for tests that also use the database in this process
    (`live_server`). Playwright's sync API keeps an event loop in this thread, and Django refuses
    database calls there unless told the caller is synchronous (it is): allowed while the
    browser is open, and the check comes back when the module is done."""
    from tests.browser.conftest import CHROMIUM

    if not Path(CHROMIUM).exists():
        pytest.skip("needs Debian's chromium: apt-get install -y chromium (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    flags = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    flags += ["--disable-component-update", "--disable-sync", "--no-first-run"]
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=flags)
            yield browser
            browser.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback that Regard's outbound mail goes to; `.received` holds
    (recipients, raw bytes) of every message."""
    from tests.channels.servers import Collect, start_smtp_sink

    sink = Collect()
    controller = start_smtp_sink(sink)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    yield sink
    controller.stop()


@pytest.fixture
def dovecot():
    """A Dovecot IMAP server on loopback (tests/channels/servers.py)."""
    import shutil
    import tempfile

    from tests.channels.servers import Dovecot

    # Dovecot's own users must reach the folder, so not under pytest's private tmp (0700).
    folder = Path(tempfile.mkdtemp(prefix="regard-dovecot-"))
    server = Dovecot(folder).start()
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def mailbox(dovecot):
    """Regard's support mailbox on that Dovecot server."""
    from regard.channels.models import Mailbox

    return Mailbox.objects.create(
        name="support",
        address="support@localhost",
        host="127.0.0.1",
        port=dovecot.port,
        use_ssl=False,
        username="support",
        password="secret",  # noqa: S106 - the test server's
    )
