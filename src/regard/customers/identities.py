"""Normalisation of identity values, so one address always means one person."""

from __future__ import annotations

import re
import unicodedata

from regard.customers.choices import IdentityKind


class InvalidIdentity(ValueError):
    """The value cannot be an identity of that kind."""


_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")


def normalize_email(value: str) -> str:
    """Lower-cased, trimmed, NFC, with an IDNA (punycode) domain: `Dana@Bücher.example` ->
    `dana@xn--bcher-kva.example`."""
    value = unicodedata.normalize("NFC", value).strip().strip("<>").strip()
    if not _EMAIL.match(value):
        raise InvalidIdentity(f"not an e-mail address: {value[:100]!r}")
    local, domain = value.rsplit("@", 1)
    try:
        domain = domain.rstrip(".").encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidIdentity(f"not a valid mail domain: {domain[:100]!r}") from None
    return f"{local.lower()}@{domain.lower()}"


def normalize_phone(value: str) -> str:
    digits = re.sub(r"[^\d+]", "", value)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if len(re.sub(r"\D", "", digits)) < 5:
        raise InvalidIdentity(f"not a phone number: {value[:40]!r}")
    return digits


def normalize_handle(value: str) -> str:
    value = unicodedata.normalize("NFC", value).strip()
    if not value:
        raise InvalidIdentity("empty chat handle")
    return value[:320]


def normalize(kind: str, value: str) -> str:
    if not isinstance(value, str):
        raise InvalidIdentity("identity value must be text")
    if kind == IdentityKind.EMAIL:
        return normalize_email(value)
    if kind == IdentityKind.PHONE:
        return normalize_phone(value)
    if kind == IdentityKind.CHAT:
        return normalize_handle(value)
    raise InvalidIdentity(f"unknown identity kind {kind!r}")
