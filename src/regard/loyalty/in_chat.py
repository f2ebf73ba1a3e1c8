"""A survey asked in the chat it follows, while the visitor may still be there to answer."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from regard.conversations.choices import Delivery, Direction
from regard.conversations.events import record_event
from regard.conversations.models import Message
from regard.customers.choices import Channel
from regard.loyalty.choices import QUESTIONS, SCALE_WORDS, SCALES, LoyaltyEvent
from regard.loyalty.mail import rating_links

# A visitor who wrote or typed this recently is taken to be still on the page.
PRESENT = timedelta(minutes=30)


def is_chat(conversation) -> bool:
    return conversation is not None and conversation.channel == Channel.CHAT


def visitor_present(conversation, now=None) -> bool:
    from regard.channels.chat.models import ChatSession

    now = now or timezone.now()
    return (
        is_chat(conversation)
        and ChatSession.objects.filter(
            conversation=conversation, last_seen__gte=now - PRESENT
        ).exists()
    )


def survey_text(survey) -> str:
    """The question, the scale in words, and one link per score (the widget makes them links)."""
    low, high, _ = SCALES[survey.kind]
    low_word, high_word = SCALE_WORDS[survey.kind]
    lines = [
        f"{QUESTIONS[survey.kind]} From {low} ({low_word}) to {high} ({high_word}); "
        "one tap is enough:"
    ]
    lines += [f"{score}: {url}" for score, url in rating_links(survey)]
    return "\n".join(lines)


@transaction.atomic
def send_survey_in_chat(survey, now=None) -> Message:
    """The survey as an automatic message in the chat, shown to the visitor at once."""
    from regard.channels.chat.delivery import publish_message

    now = now or timezone.now()
    text = survey_text(survey)
    message = Message.objects.create(
        conversation=survey.conversation,
        direction=Direction.OUTBOUND,
        channel=Channel.CHAT,
        text_full=text,
        text_new=text,
        delivery=Delivery.SENT,
        created_at=now,
        sent_at=now,
    )
    type(survey).objects.filter(pk=survey.pk).update(sent_at=now)
    record_event(
        LoyaltyEvent.SURVEY_SENT,
        conversation=survey.conversation,
        customer=survey.customer,
        at=now,
        survey_id=survey.pk,
        survey=survey.kind,
        to="chat",
        summary=f"{survey.get_kind_display()} in the chat",
    )
    transaction.on_commit(lambda: publish_message(message))
    return message
