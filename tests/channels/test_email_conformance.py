"""Conformance of the e-mail parser with Zammad's real-world parser fixtures (test/data/mail)."""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from pathlib import Path

import pytest

from regard.channels.email.parse import ParsedMail, parse_message
from regard.conversations.sanitize import html_to_text

yaml = pytest.importorskip("yaml", reason="PyYAML is needed to read the Zammad fixtures")

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "zammad-mail" / "mail"
MISSING = f"Zammad mail corpus not found at {CORPUS}"
pytestmark = pytest.mark.corpus

# Zammad stores the original HTML body as an attachment named message.html; Regard keeps the raw
# bytes in the pipeline and exposes the sanitised HTML as ParsedMail.html instead.
HTML_BODY_COPY = "message.html"
BODY_RECALL = 0.9
NO_CONTENT = "no visible content"  # Zammad's placeholder for an empty body

# (fixture, field) -> why Regard deliberately differs from Zammad's expectation.
_UNQUOTED = "Zammad echoes the malformed From verbatim; Regard reads it as RFC 5322 says"
_BETTER_BODY = "Regard recovers a body where Zammad shows 'no visible content'"
_EML = "the embedded .eml is re-serialised with LF line endings; Zammad keeps the CRLF bytes"
DIFFERENCES: dict[tuple[str, str], str] = {
    ("mail076", "from_email"): _UNQUOTED,
    ("mail076", "from_display_name"): _UNQUOTED,
    ("mail087", "from_email"): _UNQUOTED,
    ("mail087", "from_display_name"): _UNQUOTED,
    ("mail046", "from_display_name"): (
        "undeclared 8-bit GBK name: Regard decodes it with the body's charset (武兰成), "
        "Zammad as ISO-8859-2 mojibake"
    ),
    ("mail018", "subject"): "Regard decodes the UTF-7 text; Zammad leaves '+ANw-' undecoded",
    ("mail018", "body"): "Regard decodes the UTF-7 text; Zammad leaves '+APw-' undecoded",
    ("mail027", "subject"): "Regard drops the CR LF decoded at the start of the subject",
    ("mail025", "body"): "Regard moves the uuencoded file to an attachment; Zammad keeps it",
    ("mail026", "body"): "Regard drops <title> text from HTML; Zammad keeps it in the body",
    ("mail054", "body"): _BETTER_BODY + " (it repairs the broken header block)",
    ("mail087", "body"): _BETTER_BODY + " (a text part without Content-Type)",
    ("mail105", "body"): _BETTER_BODY + " (a multipart without its boundary)",
    ("mail046", "attachments"): _EML,
    ("mail069", "attachments"): _EML,
    ("mail087", "attachments"): "Regard reads the part without Content-Type as body text",
    ("mail100", "attachments"): (
        "three parts share one Content-ID: Regard numbers the repeated name, Zammad uses image.jpg"
    ),
    ("mail102", "attachments"): (
        "duplicate names: Regard numbers before the extension (38.1.png → 381.png), "
        "Zammad after the first dot run (091.00.38.png)"
    ),
}


class _RubyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """SafeLoader that reads Ruby-tagged mappings as dicts and `!binary` as bytes."""


def _construct_tagged(loader, suffix, node):
    if suffix == "binary":
        return base64.b64decode(loader.construct_scalar(node))
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)


_RubyLoader.add_multi_constructor("!", _construct_tagged)


@cache
def expected(name: str) -> dict:
    return yaml.load((CORPUS / f"{name}.yml").read_text("utf-8"), Loader=_RubyLoader) or {}


@cache
def parsed(name: str) -> ParsedMail:
    return parse_message((CORPUS / f"{name}.box").read_bytes())


def _names(suffix: str) -> list[str]:
    return sorted(path.stem for path in CORPUS.glob(f"*{suffix}")) if CORPUS.is_dir() else []


def _params(field: str) -> list:
    if not CORPUS.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=MISSING), id="corpus-missing")]
    params = []
    for name in _names(".yml"):
        if field not in expected(name):
            continue
        reason = DIFFERENCES.get((name, field))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(name, marks=marks, id=name))
    return params


def _box_params() -> list:
    if not CORPUS.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=MISSING), id="corpus-missing")]
    return _names(".box")


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", html_to_text(text).lower())


def _as_bytes(data: str | bytes | None) -> bytes:
    return data if isinstance(data, bytes) else (data or "").encode("utf-8")


@pytest.mark.parametrize("name", _box_params())
def test_every_fixture_parses_without_exception(name):
    mail = parse_message((CORPUS / f"{name}.box").read_bytes())

    assert isinstance(mail, ParsedMail)


@pytest.mark.parametrize("name", _params("from_email"))
def test_from_email_matches_zammad(name):
    assert parsed(name).from_address == (expected(name)["from_email"] or "").lower()


@pytest.mark.parametrize("name", _params("from_display_name"))
def test_from_display_name_matches_zammad(name):
    assert parsed(name).from_name == (expected(name)["from_display_name"] or "")


@pytest.mark.parametrize("name", _params("subject"))
def test_subject_matches_zammad(name):
    assert parsed(name).subject == (expected(name)["subject"] or "")


@pytest.mark.parametrize("name", _params("body"))
def test_body_holds_zammad_body_text(name):
    body, mail = expected(name)["body"] or "", parsed(name)
    if body == NO_CONTENT:
        assert not mail.text.strip()
        return
    want = _words(body)
    have = set(_words(mail.text)) | set(_words(mail.html))
    found = sum(word in have for word in want)

    assert found >= BODY_RECALL * len(want), f"{found}/{len(want)} words of the body found"


@pytest.mark.parametrize("name", _params("attachments"))
def test_attachments_match_zammad_by_content_and_name(name):
    mail = parsed(name)
    ours: dict[str, list[str]] = {}
    for attachment in mail.attachments:
        ours.setdefault(hashlib.md5(attachment.data).hexdigest(), []).append(attachment.filename)  # noqa: S324
    wanted = [a for a in expected(name)["attachments"] if a.get("filename") != HTML_BODY_COPY]
    missing = []
    for attachment in wanted:
        digest = hashlib.md5(_as_bytes(attachment.get("data"))).hexdigest()  # noqa: S324
        if attachment.get("filename") not in ours.get(digest, []):
            missing.append((attachment.get("filename"), ours.get(digest, "<no such content>")))

    assert not missing
    if any(a.get("filename") == HTML_BODY_COPY for a in expected(name)["attachments"]):
        assert mail.html
