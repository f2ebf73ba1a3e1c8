"""The widget's JSON API (served by the WSGI process): start, messages, typing, offline, transcript.

CSRF-exempt on purpose: the widget sends no cookies (fetch with credentials "omit"), and every
call but /start carries the visitor token as a bearer token, which another site cannot read or
forge. CORS answers only the origins in REGARD_EMBED_ORIGINS.
"""

from __future__ import annotations

import json
from functools import wraps

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from regard.channels.chat import actions, limits
from regard.channels.chat.cors import add_cors
from regard.channels.chat.payloads import message_payload, messages_after
from regard.channels.chat.tokens import BadVisitorToken, session_for
from regard.customers.identities import InvalidIdentity, normalize_email
from regard.system.ratelimit import allow, client_ip

MAX_BODY_BYTES = 64 * 1024
MAX_TEXT_CHARS = 5000


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def chat_api(*methods: str):
    """Preflight, method check, CORS and JSON errors around a chat endpoint."""
    allowed = ", ".join([*methods, "OPTIONS"])

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "OPTIONS":
                response = HttpResponse(status=204)
            elif request.method not in methods:
                response = JsonResponse({"error": f"use {' or '.join(methods)}"}, status=405)
                response["Allow"] = allowed
            else:
                try:
                    response = view(request, *args, **kwargs)
                except ApiError as exc:
                    response = JsonResponse({"error": str(exc)}, status=exc.status)
            return add_cors(request, response, allowed)

        return wrapper

    return decorate


def _body(request) -> dict:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES or len(request.body) > MAX_BODY_BYTES:
        raise ApiError(413, "the request is too large")
    try:
        data = json.loads(request.body or b"{}")
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "the request body must be JSON") from None
    if not isinstance(data, dict):
        raise ApiError(400, "the request body must be a JSON object")
    return data


def _text(data: dict, key: str, *, max_chars: int, required: bool = False) -> str:
    value = data.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ApiError(400, f"{key} must be text")
    value = value.strip()
    if required and not value:
        raise ApiError(400, f"{key} is empty: write something first")
    if len(value) > max_chars:
        raise ApiError(413, f"{key} is too long: at most {max_chars:,} characters")
    return value


def _email(data: dict, *, required: bool = False) -> str:
    value = _text(data, "email", max_chars=320, required=required)
    if value:
        try:
            normalize_email(value)
        except InvalidIdentity:
            raise ApiError(400, "that does not look like an e-mail address") from None
    return value


def _session(request):
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "a visitor token is needed: start a chat first")
    try:
        return session_for(token.strip())
    except BadVisitorToken as exc:
        raise ApiError(401, str(exc)) from None


def _limit(rule: tuple, key: str) -> None:
    scope, limit, window = rule
    if not allow(scope, key, limit=limit, window=window):
        raise ApiError(429, "too many requests: please wait a moment and try again")


def _visitor_key(session) -> str:
    return f"{session.pk}:{session.nonce}"  # ids restart with a new database; nonces do not


def _started(session, identity: str) -> dict:
    from regard.channels.chat.tokens import visitor_token

    team = actions.chat_team()
    return {
        "token": visitor_token(session),
        "visitor": {"name": session.name},
        "known": session.known,
        "identity": identity,
        "online": actions.is_online(team),
        "team": {"name": team.name if team else settings.COMPANY_NAME},
        "stream": settings.CHAT_STREAM_URL + reverse("chat:stream"),
        "conversation": session.conversation_id,
        "messages": messages_after(session.pk),
    }


@chat_api("POST")
def start(request):
    data = _body(request)
    name = _text(data, "name", max_chars=200)
    email = _email(data)
    identity = _text(data, "identity", max_chars=4096)
    token = _text(data, "token", max_chars=500)
    if token:
        try:
            return JsonResponse(_started(session_for(token), "none"))
        except BadVisitorToken:
            pass  # a stale token from localStorage: a new chat starts
    _limit(limits.START_PER_IP, client_ip(request))
    started = actions.start_chat(name=name, email=email, identity_token=identity)
    return JsonResponse(_started(started.session, started.identity))


@chat_api("GET", "POST")
def messages(request):
    session = _session(request)
    if request.method == "GET":
        after = request.GET.get("after", "0") or "0"
        if not after.isdigit():
            raise ApiError(400, "after must be a message id")
        return JsonResponse({"messages": messages_after(session.pk, int(after))})
    data = _body(request)
    text = _text(data, "text", max_chars=MAX_TEXT_CHARS, required=True)
    _limit(limits.MESSAGES_PER_VISITOR, _visitor_key(session))
    message = actions.post_message(session, text)
    return JsonResponse(message_payload(message), status=201)


@chat_api("POST")
def typing(request):
    session = _session(request)
    data = _body(request)
    if not isinstance(data.get("typing"), bool):
        raise ApiError(400, "typing must be true or false")
    _limit(limits.TYPING_PER_VISITOR, _visitor_key(session))
    actions.set_visitor_typing(session, data["typing"])
    return HttpResponse(status=204)


@chat_api("POST")
def offline(request):
    session = _session(request)
    data = _body(request)
    email = _email(data, required=True)
    name = _text(data, "name", max_chars=200)
    text = _text(data, "text", max_chars=MAX_TEXT_CHARS, required=True)
    _limit(limits.OFFLINE_PER_IP, client_ip(request))
    conversation = actions.leave_offline_message(session, email=email, name=name, text=text)
    return JsonResponse({"conversation": conversation.pk}, status=201)


@chat_api("POST")
def transcript(request):
    session = _session(request)
    data = _body(request)
    address = actions.transcript_address(session, _email(data))
    if not address:
        raise ApiError(400, "give an e-mail address to send the transcript to")
    _limit(limits.TRANSCRIPT_PER_VISITOR, _visitor_key(session))
    _limit(limits.TRANSCRIPT_PER_ADDRESS, address)
    actions.send_transcript(session, address)
    return JsonResponse({"sent_to": address}, status=202)
