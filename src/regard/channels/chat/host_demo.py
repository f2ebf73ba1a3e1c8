"""A pretend customer's web site with the widget pasted in, to try the chat as a visitor would.

It sends the Content-Security-Policy a host site with a strict policy needs for the widget: the
script and its stylesheet from Regard, requests to Regard and to the stream process.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.shortcuts import render
from django.templatetags.static import static

from regard.channels.chat.identity import sign_identity

SIGNED_IN = ("ana.silva@acme.example", "Ana Silva")  # the shop's pretend signed-in customer


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def host_demo(request):
    regard = request.build_absolute_uri("/").rstrip("/")
    identity = ""
    if request.GET.get("signed-in") and settings.CHAT_IDENTITY_SECRET:
        identity = sign_identity(*SIGNED_IN, secret=settings.CHAT_IDENTITY_SECRET)
    response = render(
        request,
        "chat/host_demo.html",
        {
            "widget_url": request.build_absolute_uri(static("chat/widget.js")),
            "regard_url": regard,
            "identity": identity,
            "signed_in": SIGNED_IN[1] if identity else "",
            "can_sign": bool(settings.CHAT_IDENTITY_SECRET),
        },
    )
    regard_origin = _origin(regard)
    connect = " ".join(dict.fromkeys([regard_origin, _origin(settings.CHAT_STREAM_URL)]))
    response["Content-Security-Policy"] = (
        f"default-src 'self'; script-src {regard_origin}; style-src 'self' {regard_origin}; "
        f"connect-src {connect}; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    )
    return response
