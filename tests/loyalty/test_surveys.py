"""Surveys: bad links first (tampered, expired, replayed, off the scale), then sending after a
solve, throttling, consent and unsubscribing, comments, and NPS on a schedule."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from regard.conversations.models import Event
from regard.customers.models import Identity
from regard.loyalty import surveys
from regard.loyalty.choices import SurveyKind
from regard.loyalty.models import Survey, SurveyAnswer
from tests.factories import make_conversation, make_customer
from tests.loyalty.helpers import rating_links, solved, survey_mails, survey_of

pytestmark = pytest.mark.django_db


# --- bad input -------------------------------------------------------------------------------


def test_a_tampered_token_is_refused_and_records_nothing(client, committed, agent):
    solved(committed, agent)
    path = rating_links()[5]
    token = path.split("/")[3]
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = client.get(path.replace(token, forged))
    assert response.status_code == 400
    assert "does not work" in response.content.decode()
    assert not SurveyAnswer.objects.exists()


def test_a_token_for_another_survey_cannot_be_made_by_editing_its_id(client, committed, agent):
    conversation = solved(committed, agent)
    survey = survey_of(conversation)
    from django.core import signing

    forged = signing.dumps({"s": survey.pk, "n": "guessed"}, salt="regard.loyalty.survey")
    assert client.get(reverse("loyalty:rate", args=[forged, 4])).status_code == 400
    assert not SurveyAnswer.objects.exists()


def test_an_expired_token_is_refused(client, committed, agent, settings):
    settings.SURVEY_LINK_DAYS = 14
    solved(committed, agent)
    path = rating_links()[4]
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        response = client.get(path)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not SurveyAnswer.objects.exists()


def test_a_replayed_link_changes_nothing(client, committed, agent):
    conversation = solved(committed, agent)
    links = rating_links()
    assert client.get(links[4]).status_code == 200
    again = client.get(links[1])
    assert again.status_code == 200
    assert "already answered" in again.content.decode()
    answer = SurveyAnswer.objects.get()
    assert answer.score == 4
    assert answer.follow_up is None
    assert Event.objects.filter(conversation=conversation, kind="survey.answered").count() == 1


@pytest.mark.parametrize("score", [0, 6, 99])
def test_a_score_off_the_scale_is_refused(client, committed, agent, score):
    conversation = solved(committed, agent)
    token = rating_links()[3].split("/")[3]
    response = client.get(reverse("loyalty:rate", args=[token, score]))
    assert response.status_code == 400
    assert "from 1 to 5" in response.content.decode()
    with pytest.raises(surveys.OutOfRange):
        surveys.answer_survey(survey_of(conversation), "four")
    assert not SurveyAnswer.objects.exists()


def test_a_bad_unsubscribe_link_is_refused(client):
    response = client.get(reverse("loyalty:unsubscribe", args=["1:forged"]))
    assert response.status_code == 400


def test_an_empty_comment_is_refused_and_the_page_stays(client, committed, agent):
    solved(committed, agent)
    path = rating_links()[5]
    client.get(path)
    token = path.split("/")[3]
    response = client.post(reverse("loyalty:comment", args=[token]), {"comment": "   "})
    assert response.status_code == 400
    assert SurveyAnswer.objects.get().comment == ""


def test_a_comment_before_any_score_is_refused(client, committed, agent):
    solved(committed, agent)
    token = rating_links()[5].split("/")[3]
    response = client.post(reverse("loyalty:comment", args=[token]), {"comment": "Hi"})
    assert response.status_code == 400
    assert not SurveyAnswer.objects.exists()


# --- sending after a solve -------------------------------------------------------------------


def test_solving_a_conversation_mails_a_csat_survey_with_five_signed_links(committed, agent):
    conversation = solved(committed, agent, subject="Broken kettle")
    survey = survey_of(conversation)
    assert survey.kind == SurveyKind.CSAT and survey.agent == agent and survey.sent_at
    message = survey_mails()[-1]
    assert message.to == [conversation.customer.identities.get().value]
    assert "Broken kettle" in message.subject
    assert "Dana Reyes helped you" in message.body
    assert sorted(rating_links(message)) == [1, 2, 3, 4, 5]
    assert "/loyalty/unsubscribe/" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith("<http://testserver/loyalty/")
    assert Event.objects.filter(conversation=conversation, kind="survey.sent").exists()


def test_one_click_records_the_score_on_the_timeline(client, committed, agent):
    conversation = solved(committed, agent)
    response = client.get(rating_links()[5])
    assert response.status_code == 200
    assert "5 of 5" in response.content.decode()
    event = Event.objects.get(conversation=conversation, kind="survey.answered")
    assert event.data["score"] == 5
    assert event.data["summary"] == "Satisfaction (CSAT): 5 of 5"


def test_a_comment_is_kept_once(client, committed, agent):
    conversation = solved(committed, agent)
    path = rating_links()[4]
    client.get(path)
    token = path.split("/")[3]
    url = reverse("loyalty:comment", args=[token])
    assert client.post(url, {"comment": "Quick and kind."}).status_code == 200
    client.post(url, {"comment": "Changed my mind"})
    assert SurveyAnswer.objects.get().comment == "Quick and kind."
    assert Event.objects.filter(conversation=conversation, kind="survey.commented").count() == 1


def test_a_conversation_we_started_is_not_surveyed(committed, agent):
    from regard.conversations import actions

    customer = make_customer(name="Ana")
    conversation = actions.open_conversation(None, customer, subject="Thank you", channel="email")
    committed(lambda: actions.send_reply(agent.user, conversation, "Thanks!", status="solved"))
    assert not Survey.objects.exists()


def test_the_policy_may_ask_effort_instead_or_nothing(committed, agent):
    from regard.loyalty.conf import policy

    rules = policy()
    rules.after_solve = "effort"
    rules.save()
    conversation = solved(committed, agent)
    assert survey_of(conversation).kind == SurveyKind.EFFORT
    rules.after_solve = "none"
    rules.save()
    other = solved(committed, agent, customer=make_customer(name="Ben"))
    assert not Survey.objects.filter(conversation=other).exists()


# --- throttling and consent ------------------------------------------------------------------


def test_no_second_survey_within_the_interval(committed, agent, settings):
    settings.SURVEY_INTERVAL_DAYS = 30
    first = solved(committed, agent)
    later = timezone.now() + timedelta(days=10)
    with time_machine.travel(later):
        second = solved(committed, agent, customer=first.customer, subject="Another thing")
    assert Survey.objects.count() == 1
    skipped = Event.objects.get(conversation=second, kind="survey.skipped")
    assert "in the last 30 days" in skipped.data["reason"]
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        solved(committed, agent, customer=first.customer, subject="Much later")
    assert Survey.objects.count() == 2


def test_no_survey_to_a_customer_who_opted_out(committed, agent):
    customer = make_customer(name="Opted Out", no_surveys=True)
    conversation = solved(committed, agent, customer=customer)
    assert not Survey.objects.exists()
    assert survey_mails() == []
    assert Event.objects.get(conversation=conversation, kind="survey.skipped").data["reason"] == (
        "they asked for no surveys"
    )


def test_no_survey_to_a_bouncing_address(committed, agent):
    customer = make_customer(name="Bouncy")
    conversation = make_conversation(customer, assignee=agent)
    Identity.objects.filter(customer=customer).update(bouncing=True)
    from regard.conversations import actions

    committed(lambda: actions.change_status(agent.user, conversation, "solved"))
    assert not Survey.objects.exists()
    assert survey_mails() == []


def test_a_survey_already_queued_is_not_mailed_after_the_customer_opts_out(committed, agent):
    from regard.loyalty.tasks import send_survey

    customer = make_customer(name="Changed Mind")
    survey = Survey.objects.create(kind="nps", customer=customer, created_at=timezone.now())
    customer.no_surveys = True
    customer.save()
    assert send_survey.call(survey.pk) == "customer opted out"
    assert survey_mails() == []


def test_the_unsubscribe_link_asks_then_stops_every_survey(client, committed, agent):
    first = solved(committed, agent)
    path = next(
        line.split("http://testserver")[1]
        for line in survey_mails()[-1].body.splitlines()
        if "/unsubscribe/" in line
    )
    assert client.get(path).status_code == 200
    first.customer.refresh_from_db()
    assert not first.customer.no_surveys, "a link scanner's GET must not unsubscribe"
    assert client.post(path).status_code == 200
    first.customer.refresh_from_db()
    assert first.customer.no_surveys
    mail.outbox.clear()
    with time_machine.travel(timezone.now() + timedelta(days=400)):
        solved(committed, agent, customer=first.customer, subject="Next year")
        assert surveys.ask_due_nps() == 0
    assert survey_mails() == []


# --- NPS on a schedule -----------------------------------------------------------------------


def test_nps_goes_to_customers_due_and_never_more_often_than_the_interval(
    committed, agent, settings
):
    settings.SURVEY_INTERVAL_DAYS = 30
    settings.NPS_INTERVAL_DAYS = 90
    conversation = solved(committed, agent)
    customer = conversation.customer
    busy = make_conversation(make_customer(name="Still Open"), assignee=agent)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert committed(surveys.ask_due_nps) == 1
        assert committed(surveys.ask_due_nps) == 0
    nps = Survey.objects.get(kind=SurveyKind.NPS)
    assert nps.customer == customer and nps.sent_at
    assert sorted(rating_links()) == list(range(0, 11))
    with time_machine.travel(timezone.now() + timedelta(days=80)):
        assert committed(surveys.ask_due_nps) == 0
    with time_machine.travel(timezone.now() + timedelta(days=125)):
        assert committed(surveys.ask_due_nps) == 1
    assert not Survey.objects.filter(customer=busy.customer).exists()
