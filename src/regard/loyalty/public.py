"""Pages customers reach from our e-mails: one-click rating, a comment, unsubscribing, referral.

No login: every link is signed. A tampered link is refused (400), an old one has expired (410),
a second click on a rating link changes nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from regard.customers.models import Customer
from regard.loyalty import surveys
from regard.loyalty.choices import QUESTIONS, SCALES
from regard.loyalty.models import Survey, SurveyAnswer
from regard.loyalty.tokens import (
    REFERRAL_SALT,
    UNSUBSCRIBE_SALT,
    BadLink,
    ExpiredLink,
    read_customer_token,
    read_survey_token,
)


def _refuse(request, status: int, title: str, text: str):
    return render(
        request, "loyalty/public/message.html", {"title": title, "text": text}, status=status
    )


def _survey(request, token: str):
    """(survey, None) or (None, the refusal page)."""
    try:
        survey_id, nonce = read_survey_token(token)
    except ExpiredLink:
        return None, _refuse(
            request,
            410,
            "This link has expired",
            "Thank you all the same: just reply to our "
            "e-mail if there is anything you would like to tell us.",
        )
    except BadLink:
        return None, _refuse(
            request,
            400,
            "This link does not work",
            "It may have been cut short or changed on the way. Please use the link in the e-mail.",
        )
    survey = (
        Survey.objects.select_related("customer", "conversation", "agent")
        .filter(pk=survey_id, nonce=nonce)
        .first()
    )
    if survey is None:
        return None, _refuse(
            request, 400, "This link does not work", "This survey is no longer open."
        )
    return survey, None


@never_cache
@require_http_methods(["GET"])
def rate(request, survey_token: str, score: int):
    """The one click: the score is recorded at once, and a comment is invited."""
    survey, refused = _survey(request, survey_token)
    if refused:
        return refused
    try:
        answer = surveys.answer_survey(survey, score)
    except surveys.OutOfRange as exc:
        return _refuse(request, 400, "That score is not on the scale", str(exc).capitalize() + ".")
    except surveys.AlreadyAnswered:
        return render(
            request,
            "loyalty/public/message.html",
            {
                "title": "You have already answered",
                "text": "Thank you: we have your answer, and it stays as you gave it.",
            },
        )
    low, high, _ = SCALES[survey.kind]
    return render(
        request,
        "loyalty/public/thanks.html",
        {
            "survey": survey,
            "answer": answer,
            "token": survey_token,
            "high": high,
            "question": QUESTIONS[survey.kind],
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def comment(request, survey_token: str):
    survey, refused = _survey(request, survey_token)
    if refused:
        return refused
    answer = SurveyAnswer.objects.filter(survey=survey).first()
    if answer is None:
        return _refuse(
            request,
            400,
            "Please choose a score first",
            "Use one of the numbers in our e-mail; then you can add a few words here.",
        )
    if answer.comment:
        return render(
            request,
            "loyalty/public/message.html",
            {"title": "Thank you", "text": "We have your comment: a person here reads every one."},
        )
    error = ""
    if request.method == "POST":
        try:
            surveys.add_comment(answer, request.POST.get("comment", ""))
        except ValueError as exc:
            error = str(exc)
        except surveys.AlreadyAnswered:
            pass
        else:
            return render(
                request,
                "loyalty/public/message.html",
                {"title": "Thank you", "text": "We have your comment: a person here reads it."},
            )
    return render(
        request,
        "loyalty/public/thanks.html",
        {
            "survey": survey,
            "answer": answer,
            "token": survey_token,
            "error": error,
            "high": SCALES[survey.kind][1],
            "question": QUESTIONS[survey.kind],
        },
        status=400 if error else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, unsubscribe_token: str):
    """GET asks, POST does it: mail scanners that follow links must not unsubscribe anyone."""
    try:
        customer = Customer.objects.get(pk=read_customer_token(unsubscribe_token, UNSUBSCRIBE_SALT))
    except (BadLink, Customer.DoesNotExist):
        return _refuse(
            request,
            400,
            "This link does not work",
            "Please use the link in the "
            "e-mail, or reply to it and we will take you off our surveys by hand.",
        )
    done = False
    if request.method == "POST":
        surveys.decline_surveys(customer)
        done = True
    return render(request, "loyalty/public/unsubscribe.html", {"done": done or customer.no_surveys})


@never_cache
@require_http_methods(["GET", "POST"])
def referral(request, referral_token: str):
    """A friend of a customer introduces themselves; the referrer is remembered."""
    from regard.loyalty.referrals import ReferralForm, welcome_referral

    try:
        referrer = Customer.objects.get(pk=read_customer_token(referral_token, REFERRAL_SALT))
    except (BadLink, Customer.DoesNotExist):
        return _refuse(
            request, 400, "This link does not work", "Please ask your friend for their link again."
        )
    form = ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            welcome_referral(referrer, **form.cleaned_data)
        return render(
            request,
            "loyalty/public/message.html",
            {"title": "Thank you", "text": "We have your message and will write back soon."},
        )
    name = referrer.address_name or "A friend"
    return render(
        request,
        "loyalty/public/referral.html",
        {"form": form, "name": name},
        status=400 if form.errors else 200,
    )
