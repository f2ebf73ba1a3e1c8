"""The host site's identity token: HMAC-SHA256 over the payload, with an expiry."""

import base64
import json
import time

from regard.channels.chat.identity import read_identity, sign_identity

SECRET = "host-site-secret"


def test_a_token_signed_with_another_secret_is_not_trusted():
    token = sign_identity("ana@example.com", "Ana", secret="another-secret")
    assert read_identity(token, secret=SECRET) is None


def test_a_tampered_payload_is_not_trusted():
    token = sign_identity("ana@example.com", "Ana", secret=SECRET)
    payload, mac = token.split(".")
    forged = json.dumps({"email": "boss@example.com", "name": "Boss", "exp": 2**40})
    forged = base64.urlsafe_b64encode(forged.encode()).rstrip(b"=").decode()
    assert read_identity(f"{forged}.{mac}", secret=SECRET) is None


def test_an_expired_token_is_not_trusted():
    token = sign_identity("ana@example.com", "Ana", secret=SECRET, ttl=60)
    assert read_identity(token, secret=SECRET, now=time.time() + 61) is None


def test_garbage_and_an_empty_secret_are_not_trusted():
    for token in ["", "abc", "a.b.c", "%%%.00", "x" * 5000, None, 42]:
        assert read_identity(token, secret=SECRET) is None
    assert read_identity(sign_identity("a@example.com", secret=SECRET), secret="") is None


def test_a_valid_token_names_the_visitor():
    token = sign_identity("Ana@Example.com", "Ana Diaz", secret=SECRET)
    visitor = read_identity(token, secret=SECRET)
    assert (visitor.email, visitor.name) == ("Ana@Example.com", "Ana Diaz")
