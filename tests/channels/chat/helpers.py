"""Talking to the chat API as the widget does: JSON over HTTP, a bearer token, no cookies."""

from __future__ import annotations

import json

from django.urls import reverse

ORIGIN = "https://shop.example"


def call(client, name: str, body=None, *, token: str = "", method: str = "post", **headers):
    headers.setdefault("Origin", ORIGIN)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    url = reverse(f"chat:{name}")
    if method == "get":
        return client.get(url, body or {}, headers=headers)
    data = body if isinstance(body, str | bytes) else json.dumps(body or {})
    return client.post(url, data, content_type="application/json", headers=headers)


def start(client, **body) -> dict:
    response = call(client, "start", body)
    assert response.status_code == 200, response.content
    return response.json()
