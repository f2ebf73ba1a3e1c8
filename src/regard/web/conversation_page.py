"""The reads of the conversation page (and a few of the inbox's), each built once (see
system/prepared.py): agents open these pages more than any other, and building their queries'
SQL cost more than running them.

Each function answers what the related manager or queryset it replaces did, in the same order.
"""

from __future__ import annotations

from regard.accounts.models import Agent
from regard.commitments.models import Commitment
from regard.conversations.models import Conversation, Message, SavedReply
from regard.conversations.saved_replies import replies_of
from regard.customers.models import CustomerNote, Identity, Moment, Organization
from regard.system.prepared import Prepared, PreparedCount
from regard.web.manage import agents_of_team

MESSAGES = Prepared(
    lambda conversation: (
        Message.objects.filter(conversation_id=conversation)
        .select_related("author__agent")
        .prefetch_related("attachments")
    ),
    conversation=int,
)
PROMISES = Prepared(
    lambda conversation: (
        Commitment.objects.filter(conversation_id=conversation)
        .select_related("agent", "maybe_kept_by")
        .order_by("due_at")
    ),
    conversation=int,
)
OPEN_PROMISES = Prepared(
    lambda customer: (
        Commitment.objects.open()
        .filter(conversation__customer_id=customer)
        .select_related("conversation")[:5]
    ),
    customer=int,
)
IDENTITIES = Prepared(lambda customer: Identity.objects.filter(customer_id=customer), customer=int)
NOTES = Prepared(
    lambda customer: CustomerNote.objects.filter(customer_id=customer).select_related(
        "author__agent"
    )[:5],
    customer=int,
)
MOMENTS = Prepared(lambda customer: Moment.objects.filter(customer_id=customer)[:6], customer=int)
HISTORY = Prepared(
    lambda customer, conversation: (
        Conversation.objects.filter(customer_id=customer)
        .exclude(pk=conversation)
        .order_by("-created_at")
        .only("id", "customer_id", "subject", "status", "created_at")[:5]
    ),
    customer=int,
    conversation=int,
)
CONVERSATION_COUNT = PreparedCount(Conversation, "customer_id")


# With a team and without: each a query of its own shape.
ANY_AGENT = Prepared(lambda: agents_of_team(None))
TEAM_AGENTS = Prepared(agents_of_team, team_id=int)
ORGANIZATIONS = Prepared(lambda: Organization.objects.only("id", "name"))
SAVED_REPLIES = Prepared(
    lambda agent: SavedReply.objects.filter(replies_of(agent)).only("id", "title"), agent=int
)
TEAM_SAVED_REPLIES = Prepared(
    lambda agent, team: SavedReply.objects.filter(replies_of(agent, team)).only("id", "title"),
    agent=int,
    team=int,
)


def assignable(conversation) -> list[Agent]:
    """What web.manage.assignable_agents gives for the conversation (or for none)."""
    if conversation is not None and conversation.team_id:
        return TEAM_AGENTS(team_id=conversation.team_id)
    return ANY_AGENT()


def saved_replies(agent, conversation) -> list[SavedReply]:
    """What conversations.saved_replies.saved_replies_for gives, with id and title only."""
    if conversation.team_id:
        return TEAM_SAVED_REPLIES(agent=agent.pk, team=conversation.team_id)
    return SAVED_REPLIES(agent=agent.pk)
