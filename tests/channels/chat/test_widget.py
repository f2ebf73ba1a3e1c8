"""The embeddable widget: small enough to paste anywhere, and never turning outside text into
HTML; the pretend shop page that embeds it as a customer would."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[3] / "src/regard/channels/chat/static/chat"
WIDGET = STATIC / "widget.js"
STYLES = STATIC / "widget.css"
LIMIT = 30 * 1024  # the "under 30 KB gzipped"


def gzipped_size(*paths: Path) -> int:
    return len(gzip.compress(b"".join(path.read_bytes() for path in paths), compresslevel=9))


def test_the_widget_and_its_styles_stay_under_30_kb_gzipped():
    size = gzipped_size(WIDGET, STYLES)
    assert 1_000 < size < LIMIT, f"{size} bytes gzipped"


def test_the_widget_never_writes_html_from_strings():
    source = WIDGET.read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in source, sink
    assert "textContent" in source


def test_the_widget_sends_no_cookies_and_loads_nothing_from_elsewhere():
    source = WIDGET.read_text()
    assert source.count("fetch(") == 1 and 'credentials: "omit"' in source
    assert not re.search(r"https?://", source), "no CDN or fixed address in the widget"
    assert not re.search(r"https?://|@import", STYLES.read_text())


@pytest.mark.django_db
def test_the_host_demo_page_embeds_the_widget_with_one_script_tag(client, settings):
    settings.CHAT_STREAM_URL = "http://127.0.0.1:8001"
    response = client.get("/chat/demo/")
    assert response.status_code == 200
    page = response.content.decode()
    tags = re.findall(r"<script [^>]*>", page)
    assert tags == [
        '<script src="http://testserver/static/chat/widget.js" '
        'data-regard="http://testserver" async>'
    ], tags
    policy = response["Content-Security-Policy"]
    assert "connect-src http://testserver http://127.0.0.1:8001;" in policy
    assert "script-src http://testserver;" in policy


@pytest.mark.django_db
def test_the_host_demo_page_signs_its_pretend_customer_only_with_a_secret(client, settings):
    from regard.channels.chat.identity import read_identity

    settings.CHAT_IDENTITY_SECRET = ""
    assert "data-identity" not in client.get("/chat/demo/?signed-in=1").content.decode()

    settings.CHAT_IDENTITY_SECRET = "s3cret-shared-with-the-shop"
    page = client.get("/chat/demo/?signed-in=1").content.decode()
    token = re.search(r'<script [^>]*data-identity="([^"]+)"', page).group(1)
    vouched = read_identity(token, secret="s3cret-shared-with-the-shop")
    assert vouched is not None and vouched.email == "ana.silva@acme.example"
