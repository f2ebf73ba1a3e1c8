"""Cross-origin access for the widget: only origins in REGARD_EMBED_ORIGINS, never credentials."""

from __future__ import annotations

from django.conf import settings

ALLOWED_HEADERS = "Authorization, Content-Type, Last-Event-ID"
MAX_AGE = "600"


def allowed_origin(origin: str) -> str | None:
    """The origin to echo back, or None when the host site may not embed the chat."""
    if not origin:
        return None
    # Regard's own pages too: the streams are served on another port, so another origin.
    origins = [*settings.EMBED_ORIGINS, settings.BASE_URL]
    if "*" in origins or origin.rstrip("/") in [o.rstrip("/") for o in origins]:
        return origin
    return None


def add_cors(request, response, methods: str = "GET, POST, OPTIONS"):
    response["Vary"] = "Origin"
    origin = allowed_origin(request.headers.get("Origin", ""))
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = methods
        response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response["Access-Control-Max-Age"] = MAX_AGE
    return response
