"""Which conversation an inbound e-mail belongs to, whatever order the mail arrives in.

In order: the References chain against every Message-ID we sent or received; replies that
arrived before this (late) parent; siblings that share a reference; the per-conversation reply
address (support+TOKEN@...); the ticket token in the subject ([#1234]) from the same customer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import connection

from regard.channels.models import ThreadReference
from regard.conversations.models import Conversation, Message
from regard.conversations.rows import columns, from_row

_SUBJECT_TOKEN = re.compile(r"\[#(\d{1,12})\]")
_PLUS_TOKEN = re.compile(r"^[^@+]+\+([0-9a-f]{20})@", re.IGNORECASE)
_MESSAGE = Message._meta.db_table
_REFERENCE = ThreadReference._meta.db_table
# Hand-written: built through the ORM, these three lookups cost several times what the database
# spends answering them, on every inbound mail. Only table names are formatted in.
_KNOWN_SQL = (
    "SELECT 'known', external_id, conversation_id, direction "  # noqa: S608
    f"FROM {_MESSAGE} WHERE external_id IN ({{ids}})"
)
# The earliest reference to one of `refs`: MIN over the ref index, never a scan in id order.
_FIRST_REFERENCE_SQL = (
    "SELECT {label}, '', m.conversation_id, '' "  # noqa: S608
    f"FROM {_REFERENCE} r JOIN {_MESSAGE} m ON m.id = r.message_id "
    f"WHERE r.id = (SELECT MIN(id) FROM {_REFERENCE} WHERE ref IN ({{refs}}))"
)

# Most replies are threaded by Message-ID: their conversation is read (and locked) by id.
_CONVERSATION_SQL = (
    f"SELECT {columns(Conversation, 'c')} FROM {Conversation._meta.db_table} c "  # noqa: S608
    "WHERE c.id = %s"
)


@dataclass
class ThreadClues:
    """What the database knows about a mail's Message-IDs, read in one query.

    `known`: our messages with this mail's Message-ID or one it refers to, {id: (conversation,
    direction)}, inbound winning (that is what marks a duplicate); `child`: the conversation of
    the first stored reply to this mail; `sibling`: that of the first message sharing a reference.
    """

    known: dict[str, tuple[int, str]] = field(default_factory=dict)
    child: int | None = None
    sibling: int | None = None


def thread_refs(parsed) -> list[str]:
    """The Message-IDs this mail refers to, nearest parent first, without duplicates."""
    ordered = [*parsed.in_reply_to, *reversed(parsed.references)]
    return list(dict.fromkeys(ref for ref in ordered if ref and ref != parsed.message_id))[:100]


def thread_clues(parsed) -> ThreadClues:
    """One query serves the duplicate check and every threading lookup by Message-ID."""
    refs = thread_refs(parsed)
    ids = [*refs, *([parsed.message_id] if parsed.message_id else [])]
    if not ids:
        return ThreadClues()
    parts, params = [_KNOWN_SQL.format(ids=_marks(ids))], list(ids)
    if parsed.message_id:
        parts.append(_FIRST_REFERENCE_SQL.format(label="'child'", refs="%s"))
        params.append(parsed.message_id)
    if refs:
        parts.append(_FIRST_REFERENCE_SQL.format(label="'sibling'", refs=_marks(refs)))
        params += refs
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    clues = ThreadClues()
    for what, external_id, conversation_id, direction in rows:
        if what == "child":
            clues.child = conversation_id
        elif what == "sibling":
            clues.sibling = conversation_id
        elif external_id not in clues.known or direction == "inbound":
            clues.known[external_id] = (conversation_id, direction)
    return clues


def _marks(values: list) -> str:
    return ", ".join(["%s"] * len(values))


def find_conversation(parsed, customer, clues: ThreadClues | None = None):
    """The conversation this mail continues (locked for the rest of the transaction), and how it
    was found (for the timeline); (None, "") when it starts a new one."""
    clues = thread_clues(parsed) if clues is None else clues
    found, how = _by_message_ids(parsed, clues)
    if found is not None:
        return _locked(found), how
    found = _by_reply_token(parsed)
    if found:
        return found, "sent to the conversation's reply address"
    found = _by_subject_token(parsed.subject, customer)
    if found:
        return found, "ticket number in the subject"
    return None, ""


def _locked(pk: int) -> Conversation:
    """The conversation, locked for the rest of the transaction (`select_for_update().get()`)."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(_CONVERSATION_SQL + lock, [pk])
        row = cursor.fetchone()
    if row is None:
        raise Conversation.DoesNotExist(f"no conversation {pk}")
    return from_row(Conversation, row)


def _by_message_ids(parsed, clues: ThreadClues) -> tuple[int | None, str]:
    for ref in thread_refs(parsed):
        if ref in clues.known:
            return clues.known[ref][0], "references a message of this conversation"
    if clues.child is not None:
        return clues.child, "a reply to it arrived first"
    if clues.sibling is not None:
        return clues.sibling, "shares a thread with an earlier message"
    return None, ""


def _by_reply_token(parsed) -> Conversation | None:
    for _name, address in [*parsed.to, *parsed.cc]:
        match = _PLUS_TOKEN.match(address or "")
        if match:
            token = match.group(1).lower()
            found = Conversation.objects.select_for_update().filter(reply_token=token).first()
            if found:
                return found
    return None


def _by_subject_token(subject: str, customer) -> Conversation | None:
    match = _SUBJECT_TOKEN.search(subject or "")
    if not match:
        return None
    conversation = Conversation.objects.select_for_update().filter(pk=int(match.group(1))).first()
    if conversation is None:
        return None
    # A ticket number is easy to guess: only its own customer or participants may use it.
    if (
        conversation.customer_id == customer.pk
        or conversation.participants.filter(customer=customer).exists()
    ):
        return conversation
    return None
