"""Posting the web form as a browser would: a stamp served seconds ago, a fresh address and IP."""

from __future__ import annotations

import time
import uuid

from django.test import Client

from regard.channels.web.tokens import form_stamp


def unique_address(name: str = "zoe") -> str:
    # Rate counters on Redis outlive each test's transaction: every test uses its own keys.
    return f"{name}-{uuid.uuid4().hex[:10]}@example.com"


def visitor(**kwargs) -> Client:
    """A browser at its own address, so per-IP limits of other tests do not reach it."""
    n = uuid.uuid4().int
    ip = f"10.{n % 250 + 1}.{n // 250 % 250 + 1}.{n // 62500 % 250 + 1}"
    return Client(REMOTE_ADDR=ip, **kwargs)


def form_data(**fields) -> dict:
    data = {
        "name": "Zoë Ångström",
        "email": unique_address(),
        "message": "My grinder arrived broken.\nThe lid is cracked.",
        "website": "",
        "stamp": form_stamp(time.time() - 10),
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}
