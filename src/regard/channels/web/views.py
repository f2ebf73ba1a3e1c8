"""The hosted contact page, the same form for an <iframe>, and the confirmation after sending.

Order of checks on a post: the request's size (before reading it), the per-IP limit (every post
counts), the honeypot (a robot is thanked and nothing is kept), the form with its signed stamp,
the per-address limit.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from regard.channels.web.actions import Submission, receive_web_form
from regard.channels.web.choices import (
    MESSAGE_MAX_CHARS,
    PER_ADDRESS_LIMIT,
    PER_ADDRESS_WINDOW,
    PER_IP_LIMIT,
    PER_IP_WINDOW,
)
from regard.channels.web.forms import HONEYPOT, ContactForm
from regard.channels.web.tokens import read_thanks_token, thanks_token
from regard.conversations.models import Message
from regard.customers.identities import normalize_email
from regard.system.ratelimit import allow, client_ip
from regard.web.middleware import CSP

log = logging.getLogger("regard.contact")
# Room for the text fields and multipart framing around the largest allowed file.
FORM_OVERHEAD_BYTES = MESSAGE_MAX_CHARS * 4 + 256 * 1024


@require_http_methods(["GET", "POST"])
def contact(request):
    return _form_page(request, embedded=False)


# A page framed on another site gets no cookies (SameSite=Lax), so no CSRF cookie either: the
# embedded form relies on its signed stamp instead, and it touches no session or login.
@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def embed(request):
    return framable(_form_page(request, embedded=True))


@require_http_methods(["GET"])
def thanks(request):
    return _thanks_page(request, embedded=False)


@xframe_options_exempt
@require_http_methods(["GET"])
def embed_thanks(request):
    return framable(_thanks_page(request, embedded=True))


def framable(response):
    """Allow the sites in REGARD_EMBED_ORIGINS (and this one) to frame the response."""
    origins = [o for o in settings.EMBED_ORIGINS if o and not any(c in o for c in " ;,'\"")]
    ancestors = "*" if "*" in origins else " ".join(["'self'", *origins])
    response["Content-Security-Policy"] = CSP.replace(
        "frame-ancestors 'none'", f"frame-ancestors {ancestors}"
    )
    return response


def _templates(embedded: bool) -> dict:
    return {
        "base": "contact/embed_base.html" if embedded else "public/base.html",
        "action": reverse("contact:embed" if embedded else "contact:form"),
        "embedded": embedded,
    }


def _form_page(request, *, embedded: bool):
    context = _templates(embedded)
    if request.method != "POST":
        return render(request, "contact/form.html", {**context, "form": ContactForm()})
    allowed = allow("webform-ip", client_ip(request), limit=PER_IP_LIMIT, window=PER_IP_WINDOW)
    if _request_size(request) > settings.WEBFORM_MAX_ATTACHMENT_BYTES + FORM_OVERHEAD_BYTES:
        limit = filesizeformat(settings.WEBFORM_MAX_ATTACHMENT_BYTES)
        return _again(request, context, ContactForm(), status=413, too_large=limit)
    if not allowed:
        log.info("web form: per-IP limit reached, post refused")
        form = ContactForm.keeping(request.POST)
        return _again(request, context, form, status=429, limited="ip")
    if request.POST.get(HONEYPOT):
        log.info("web form: honeypot filled, nothing stored")
        post = request.POST
        token = thanks_token(None, name=post.get("name", ""), email=post.get("email", ""))
        return _to_thanks(token, embedded)
    form = ContactForm(request.POST, request.FILES)
    if not form.is_valid():
        if form.has_error("__all__", "stale"):
            log.info("web form: stale or too-quick stamp, asked again")
        return _again(request, context, form)
    address = normalize_email(form.cleaned_data["email"])
    if not allow("webform-address", address, limit=PER_ADDRESS_LIMIT, window=PER_ADDRESS_WINDOW):
        log.info("web form: per-address limit reached, post refused")
        return _again(request, context, form, status=429, limited="address")
    message = receive_web_form(
        Submission(
            email=form.cleaned_data["email"],
            name=form.cleaned_data["name"],
            text=form.cleaned_data["message"],
            answers=form.answers(),
            attachment=form.attachment_part(),
        )
    )
    return _to_thanks(thanks_token(message.pk), embedded)


def _again(request, context: dict, form: ContactForm, status: int = 200, **why):
    """The form again, with what the visitor typed, a fresh stamp and why it was not sent."""
    form.fresh_stamp()
    return render(request, "contact/form.html", {**context, **why, "form": form}, status=status)


def _request_size(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _to_thanks(token: str, embedded: bool):
    url = reverse("contact:embed_thanks" if embedded else "contact:thanks")
    return HttpResponseRedirect(f"{url}?t={token}")


def _thanks_page(request, *, embedded: bool):
    data = read_thanks_token(request.GET.get("t", ""))
    if data is None:
        return HttpResponseRedirect(reverse("contact:embed" if embedded else "contact:form"))
    context = {**_templates(embedded), "number": None}
    if data["m"]:
        message = (
            Message.objects.select_related("conversation__customer").filter(pk=data["m"]).first()
        )
        if message is None:
            return HttpResponseRedirect(context["action"])
        customer = message.conversation.customer
        context |= {
            "name": customer.address_name,
            "address": message.sender_address,
            "number": message.conversation_id,
        }
    else:
        context |= {"name": data.get("n", "").split(" ")[0], "address": data.get("e", "")}
    return render(request, "contact/thanks.html", context)
