"""The customer portal: sign in with a magic link, read and answer conversations, see promises
and incident updates, set preferences. Access is decided in `regard.portal.access` only."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.http import FileResponse, Http404
from django.middleware.csrf import rotate_token
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from regard.conversations.actions import receive_message
from regard.conversations.storage import blob_path
from regard.customers.choices import Channel, IdentityKind
from regard.portal import actions, queries
from regard.portal.access import (
    SESSION_KEY,
    attachment_for,
    conversation_for,
    customer_required,
    portal_customer,
)
from regard.portal.forms import LinkRequestForm, PreferencesForm, ReplyForm
from regard.portal.models import PortalLink
from regard.portal.tokens import BadLink, ExpiredLink, read_link_token
from regard.system import ratelimit

IP_LIMIT = 10  # link requests from one address per window
ADDRESS_LIMIT = 3  # links to one e-mail address per window
WINDOW = 600


def _zone(customer):
    try:
        return zoneinfo.ZoneInfo(customer.time_zone or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _page(request, template: str, context: dict, status: int = 200):
    customer = getattr(request, "portal_customer", None)
    context = {"customer": customer, **context}
    if customer is None:
        return render(request, template, context, status=status)
    with timezone.override(_zone(customer)):
        return render(request, template, context, status=status)


def _minutes() -> int:
    return int(settings.PORTAL_LINK_MAX_AGE.total_seconds() // 60)


@never_cache
@require_http_methods(["GET", "POST"])
def home(request):
    """Signed in: the overview. Signed out: ask for a link."""
    customer = portal_customer(request)
    if customer is not None and request.method == "GET":
        request.portal_customer = customer
        return overview(request, customer)
    return _ask_for_link(request, request.POST if request.method == "POST" else None)


def _ask_for_link(request, data, status: int = 200, **context):
    form = LinkRequestForm(data)
    sent = False
    if data is not None and form.is_valid():
        address = form.cleaned_data["email"].strip().lower()
        ip = ratelimit.client_ip(request)
        if not (
            ratelimit.allow("portal-link-ip", ip, limit=IP_LIMIT, window=WINDOW)
            and ratelimit.allow("portal-link-address", address, limit=ADDRESS_LIMIT, window=WINDOW)
        ):
            return render(
                request,
                "portal/message.html",
                {
                    "title": "Too many requests",
                    "text": "Please wait a few minutes, then ask for a new link.",
                },
                status=429,
            )
        # The same answer whether we know the address or not: the page must not tell.
        actions.request_link(address, ip)
        sent, form = True, LinkRequestForm()
    elif data is not None:
        status = 400
    return render(
        request,
        "portal/sign_in.html",
        {"form": form, "sent": sent, "minutes": _minutes(), **context},
        status=status,
    )


def overview(request, customer):
    return _page(
        request,
        "portal/overview.html",
        {
            "conversations": queries.conversations(customer),
            "promises": queries.open_promises(customer),
            "updates": queries.incident_updates(customer),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def landing(request, link_token: str):
    """Where the e-mailed link leads. A GET only shows a "Sign in" button; the POST spends the
    link. Mail scanners and link previews fetch links with GET before the customer clicks: if a
    GET signed in, they would burn the single use and the customer's click would fail."""
    try:
        link_id, nonce = read_link_token(link_token)
    except ExpiredLink:
        return _ask_for_link(
            request,
            None,
            status=410,
            problem="This link has expired — ask for a new one below.",
        )
    except BadLink:
        return _refuse(
            request,
            400,
            "This link does not work",
            "It may have been cut short or changed on the way. Ask for a new one.",
        )
    if request.method == "GET":
        link = PortalLink.objects.filter(pk=link_id, nonce=nonce).first()
        if link is None:
            return _refuse(request, 400, "This link does not work", "Ask for a new one.")
        if link.used_at is not None:
            return _used(request)
        return render(request, "portal/landing.html")
    try:
        customer = actions.use_link(link_id, nonce)
    except actions.LinkUsed:
        return _used(request)
    except actions.UnknownLink:
        return _refuse(request, 400, "This link does not work", "Ask for a new one.")
    request.session.cycle_key()  # a new session id at sign-in: no fixation
    request.session[SESSION_KEY] = customer.pk
    rotate_token(request)
    return redirect("portal:home")


def _refuse(request, status: int, title: str, text: str):
    return render(request, "portal/message.html", {"title": title, "text": text}, status=status)


def _used(request):
    return _refuse(
        request,
        410,
        "This link has already been used",
        "Each link signs you in once. Ask for a new one if you need to sign in again.",
    )


@require_POST
def sign_out(request):
    customer = portal_customer(request)
    if customer is not None:
        actions.signed_out(customer)
    # Only the portal's key goes: an agent signed in in the same browser stays signed in.
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()
    return redirect("portal:home")


@never_cache
@require_http_methods(["GET", "POST"])
@customer_required
def conversation(request, conversation_id: int):
    customer = request.portal_customer
    convo = conversation_for(customer, conversation_id)
    form = ReplyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        message = receive_message(
            convo,
            text_full=form.cleaned_data["text"],
            sender=_their_address(customer),
            channel=Channel.WEB,
        )
        # A closed conversation is continued in a linked new one: go where the reply went.
        return redirect("portal:conversation", message.conversation_id)
    return _page(
        request,
        "portal/conversation.html",
        {
            "conversation": convo,
            "messages": queries.messages(convo),
            "form": form,
            "plain_status": queries.plain_status(convo),
        },
        status=400 if request.method == "POST" else 200,
    )


def _their_address(customer):
    identities = customer.identities.filter(kind=IdentityKind.EMAIL).order_by("bouncing", "id")
    return identities.first()


@never_cache
@require_http_methods(["GET"])
@customer_required
def attachment(request, attachment_id: int):
    item = attachment_for(request.portal_customer, attachment_id)
    try:
        handle = blob_path(item.sha256).open("rb")
    except (OSError, ValueError):
        raise Http404("The file is missing") from None
    # Always a download, never rendered in the portal's origin.
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=item.filename,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@customer_required
def preferences(request):
    customer = request.portal_customer
    fields = ("preferred_name", "language", "preferred_channel", "no_surveys", "no_marketing")
    initial = {f: getattr(customer, f) for f in fields}
    form = PreferencesForm(request.POST if request.method == "POST" else None, initial=initial)
    if customer.language and customer.language not in dict(form.fields["language"].choices):
        form.fields["language"].choices += [(customer.language, customer.language)]
    saved = False
    if request.method == "POST" and form.is_valid():
        actions.update_preferences(customer, **form.cleaned_data)
        saved = True
    return _page(
        request,
        "portal/preferences.html",
        {"form": form, "saved": saved},
        status=400 if request.method == "POST" and not form.is_valid() else 200,
    )
