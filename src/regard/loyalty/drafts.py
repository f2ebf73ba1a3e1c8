"""Writing personal drafts (thank-yous and radar reach-outs) and turning them into conversations.

Every sentence that is not about this customer is kept short, so that what is theirs (their name,
the subject they wrote about, what their profile says matters to them) carries the message.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from regard.conversations import actions as conversation_actions
from regard.conversations.choices import Direction, Priority, Status
from regard.conversations.events import record_event
from regard.conversations.models import Conversation
from regard.customers.choices import Channel
from regard.loyalty.choices import DraftState, LoyaltyEvent, Occasion
from regard.loyalty.gratitude import ThanksDue
from regard.loyalty.models import GratitudeDraft
from regard.system.prepared import Prepared

OPENINGS = {
    Occasion.FIRST_CONVERSATION: "thank you for trusting us with your first question ({about}). "
    "I'm glad it's sorted.",
    Occasion.FEEDBACK_GIVEN: "thank you for telling us how we did ({about}){comment}.",
    Occasion.ANNIVERSARY: "it's {years} since you first wrote to us ({about}). "
    "Thank you for staying with us.",
    Occasion.LONG_WAIT_SOLVED: "thank you for your patience with {about}: it took far longer "
    "than it should have, and I'm sorry.",
    Occasion.QUESTION_NO_PURCHASE: "thank you for asking us about {about}. Whatever you decided, "
    "I'm glad we could help, and I'm here if another question comes up.",
    Occasion.REACH_OUT: "I wanted to check in with you personally after our last conversation "
    "({about}). {why}",
}
WHY = {
    "unanswered": "I'm sorry you've been waiting on us; I'm looking at it myself now.",
    "broken_promise": "We didn't keep our word to you recently, and I'm sorry.",
    "overdue_promise": "We owe you an answer we promised, and I'm making sure you get it.",
    "repeat_contact": "I know you've had to write to us more than once about it.",
    "negative_trend": "I could tell from your last messages that things haven't been easy.",
    "low_survey": "Thank you for your honest answer to our survey; I want to put things right.",
    "silence": "It's been a while since we last spoke, and I didn't want it to be longer.",
    "escalation": "I know it took longer than it should have.",
}


def profile_detail(customer) -> str:
    """Something their profile says matters to them, in their record's own words."""
    for text in (customer.wants, customer.needs):
        line = (text or "").strip().splitlines()[0:1]
        if line and line[0].strip():
            return line[0].strip()[:140]
    note = customer.notes.order_by("-pinned", "-created_at").values_list("text", flat=True).first()
    return (note or "").strip().splitlines()[0][:140] if note and note.strip() else ""


def _subject(customer, conversation_id) -> str:
    conversations = Conversation.objects.filter(customer=customer).exclude(subject="")
    if conversation_id:
        conversations = conversations.filter(pk=conversation_id)
    subject = conversations.order_by("-created_at").values_list("subject", flat=True).first()
    return subject if subject and conversation_actions.subject_key(subject) else ""


def compose(customer, moment: ThanksDue, now, *, why: str = "", author=None) -> tuple[str, str]:
    """(text, detail): the draft, and the specific detail it was built on ("" if none)."""
    name = customer.address_name or customer.name
    subject = _subject(customer, moment.conversation_id)
    profile = profile_detail(customer)
    comment = ""
    if moment.answer_id:
        from regard.loyalty.models import SurveyAnswer

        said = SurveyAnswer.objects.filter(pk=moment.answer_id).values_list("comment", flat=True)
        words = said[0][:160].rstrip(".!? ") if said else ""
        comment = f", and for writing “{words}”" if words else ""
    # Details stay out of quotation marks: the coach reads quoted words as someone else's.
    detail = subject or profile
    years = moment.years
    opening = (
        OPENINGS[moment.occasion]
        .format(
            about=detail or "your question",
            comment=comment,
            years=f"{years} year{'s' if years != 1 else ''}",
            why=WHY.get(why, ""),
        )
        .strip()
    )
    lines = [f"Hi {name},", "", opening[:1].upper() + opening[1:]]
    if profile and profile != detail:
        lines.append(f"I haven't forgotten what matters to you: {profile}")
    owner = author or customer.owner
    lines += ["", owner.display_name.split()[0] if owner else f"The {settings.COMPANY_NAME} team"]
    return "\n".join(lines), detail


@transaction.atomic
def open_draft(actor, draft: GratitudeDraft, *, now=None) -> Conversation:
    """A conversation for the draft, assigned to the acting agent; the composer shows the draft."""
    now = now or timezone.now()
    if draft.conversation_id:
        return draft.conversation
    customer = draft.customer
    name = customer.address_name or customer.name
    conversation = conversation_actions.open_conversation(
        actor.user if actor else None,
        customer,
        subject=f"Thank you, {name}" if draft.occasion != Occasion.REACH_OUT else f"Hello {name}",
        channel=customer.preferred_channel or Channel.EMAIL,
        priority=Priority.NORMAL,
        assignee=actor or customer.owner,
        at=now,
    )
    draft.conversation = conversation
    draft.state = DraftState.OPENED
    draft.save(update_fields=["conversation", "state"])
    return conversation


@transaction.atomic
def send_draft(actor, draft: GratitudeDraft, *, now=None):
    """Send the draft as it is (automatic thank-yous); never to a customer who opted out."""
    now = now or timezone.now()
    customer = draft.customer
    if draft.state not in (DraftState.DRAFT, DraftState.OPENED) or customer.no_marketing:
        return None
    from regard.loyalty.surveys import working_address

    if working_address(customer) is None:
        return None
    conversation = open_draft(actor, draft, now=now)
    message = conversation_actions.send_reply(
        actor.user if actor else None, conversation, draft.text, status=Status.SOLVED, at=now
    )
    GratitudeDraft.objects.filter(pk=draft.pk).update(state=DraftState.SENT, sent_at=now)
    record_event(
        LoyaltyEvent.GRATITUDE_SENT,
        conversation=conversation,
        at=now,
        occasion=draft.occasion,
        automatic=actor is None,
        summary=f"{draft.get_occasion_display().lower()}"
        + (" (sent automatically)" if actor is None else ""),
    )
    return message


@transaction.atomic
def dismiss_draft(actor, draft: GratitudeDraft) -> None:
    GratitudeDraft.objects.filter(pk=draft.pk).update(state=DraftState.DISMISSED)


@transaction.atomic
def reach_out(actor, customer, *, now=None) -> Conversation:
    """The radar's one click: a conversation to the customer with a personal draft in it."""
    from regard.loyalty.models import CustomerHealth

    now = now or timezone.now()
    health = CustomerHealth.objects.filter(customer=customer).first()
    top = health.reasons[0]["code"] if health and health.reasons else ""

    key = f"reach_out:{timezone.localdate(now).isoformat()}"
    due = ThanksDue(Occasion.REACH_OUT, key, customer.pk)
    text, detail = compose(customer, due, now, why=top, author=actor)
    draft, _ = GratitudeDraft.objects.get_or_create(
        customer=customer,
        occasion_key=key,
        defaults={
            "occasion": Occasion.REACH_OUT,
            "owner": actor,
            "text": text,
            "detail": detail[:300],
            "created_at": now,
        },
    )
    conversation = open_draft(actor, draft, now=now)
    record_event(
        LoyaltyEvent.REACHED_OUT,
        actor=actor.user,
        conversation=conversation,
        at=now,
        reasons=[r["text"] for r in (health.reasons if health else [])][:5],
        summary="; ".join(r["text"] for r in (health.reasons if health else [])[:3]),
    )
    return conversation


# Asked on every opening of a conversation page (the composer).
OPEN_DRAFT = Prepared(
    lambda conversation: (
        GratitudeDraft.objects.filter(conversation_id=conversation, state=DraftState.OPENED)
        .order_by("pk")
        .values_list("text", flat=True)[:1]
    ),
    conversation=int,
)


def draft_for(conversation) -> str:
    """The draft waiting in this conversation's composer, until the first reply is sent."""
    drafts = OPEN_DRAFT(conversation=conversation.pk)
    if drafts and not conversation.messages.filter(direction=Direction.OUTBOUND).exists():
        return drafts[0]
    return ""
