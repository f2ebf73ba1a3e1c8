"""A survey e-mail over real SMTP (aiosmtpd), read back as a mail client would, and its rating
link followed: the answer lands, and the message says what it is (auto-generated, unsubscribe)."""

from __future__ import annotations

import re
from email import message_from_bytes, policy

import pytest

from regard.loyalty.models import SurveyAnswer
from tests.loyalty.helpers import solved

pytestmark = pytest.mark.django_db


def test_a_survey_travels_over_smtp_and_its_link_answers_it(client, committed, agent, smtp):
    conversation = solved(committed, agent, subject="Grinder jammed")
    surveys = [
        (to, message_from_bytes(raw, policy=policy.default))
        for to, raw in smtp.received
        if b"/loyalty/s/" in raw
    ]
    [(to, message)] = surveys
    assert to == [conversation.customer.identities.get().value]
    assert message["Auto-Submitted"] == "auto-generated"
    assert (
        str(message["List-Unsubscribe"])
        .strip()
        .startswith("<http://testserver/loyalty/unsubscribe/")
    )
    assert "Grinder jammed" in message["Subject"]
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    links = re.findall(r'href="http://testserver(/loyalty/s/[^"]+/(\d))"', html)
    assert [score for _, score in links] == ["1", "2", "3", "4", "5"]
    assert all(path in text for path, _ in links), "the same links in the plain text part"
    response = client.get(links[4][0])
    assert response.status_code == 200
    assert SurveyAnswer.objects.get().score == 5
