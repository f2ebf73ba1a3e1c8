"""Search messages and customers: the one entry point, whatever the database.

Messages are ranked among the newest matches only, so a word found in most messages costs
no more than a rare one; within them relevance and recency decide the order.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.safestring import SafeString

from regard.conversations.models import Conversation, Message
from regard.customers.models import Customer, Identity
from regard.search.backends import Candidate, backend
from regard.search.query import Query, fold, parse_query
from regard.search.snippets import match_pattern, snippet

# How many of the newest matches are ranked; older ones are reached by paging only.
NEWEST = 1_000
PHRASE_BONUS = 1.0
RECENCY_WEIGHT = 0.3
RECENCY_HALF_LIFE_DAYS = 30
CUSTOMER_CANDIDATES = 100
# A name word this similar to a query word counts as a match (difflib ratio).
SIMILAR_ENOUGH = 0.7
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Hit:
    message_id: int
    conversation_id: int
    subject: str
    snippet: SafeString
    rank: float
    created_at: datetime


@dataclass(frozen=True)
class CustomerHit:
    customer: Customer
    name: SafeString
    score: float


def search_messages(user_or_visible, q: str, *, limit: int = 20) -> list[Hit]:
    """The best `limit` messages for `q` among conversations the agent may see."""
    query = parse_query(q)
    if not query or limit <= 0:
        return []
    try:
        where, params = _visibility(_visible(user_or_visible))
    except EmptyResultSet:
        return []
    candidates = backend().message_candidates(query, NEWEST, where, params)
    ranked = _rank(candidates)[:limit]
    return _hits(ranked, query)


def search_customers(
    q: str, limit: int = 10, *, customers: QuerySet | None = None
) -> list[CustomerHit]:
    """Customers by name or identity: word prefixes, or when none match, names that look alike."""
    query = parse_query(q)
    if not query or limit <= 0:
        return []
    found = backend().customer_candidates(query, CUSTOMER_CANDIDATES, limit)
    if not found:
        found += backend().similar_customers(query, CUSTOMER_CANDIDATES)
    pool = Customer.objects.all() if customers is None else customers
    pool = pool.filter(pk__in=set(found), merged_into__isnull=True)
    # Scored from their names and addresses alone; only the ones shown are loaded whole.
    texts = {pk: [display, preferred] for pk, display, preferred in
             pool.values_list("pk", "display_name", "preferred_name")}  # fmt: skip
    addresses = Identity.objects.filter(customer_id__in=texts).values_list("customer_id", "value")
    for customer_id, value in addresses:
        texts[customer_id].append(value)
    scored = [(_text_score(query, text), pk) for pk, text in texts.items()]
    shown = sorted(
        ((score, Customer.name_of(pk, *texts[pk][:2]).casefold(), pk) for score, pk in scored
         if score >= SIMILAR_ENOUGH),
        key=lambda item: (-item[0], item[1], item[2]),
    )[:limit]  # fmt: skip
    loaded = pool.filter(pk__in=[pk for _, _, pk in shown]).prefetch_related("identities")
    by_pk = {customer.pk: customer for customer in loaded}
    pattern = match_pattern(query)
    return [
        CustomerHit(by_pk[pk], snippet(by_pk[pk].name, pattern), round(score, 3))
        for score, _, pk in shown
        if pk in by_pk
    ]


def _visible(user_or_visible) -> QuerySet:
    if isinstance(user_or_visible, QuerySet):
        return user_or_visible
    from regard.conversations.access import conversations_for

    return conversations_for(user_or_visible)


def _visibility(visible: QuerySet) -> tuple[str, list]:
    """The permission as SQL over `conversations_message`, for the backend to filter by."""
    if not visible.query.where and visible.model is Conversation:
        return "", []
    messages = Message.objects.filter(Exists(visible.filter(pk=OuterRef("conversation_id"))))
    compiler = messages.query.get_compiler(connection=connection)
    sql, params = compiler.compile(messages.query.where)
    return sql, list(params)


def _rank(candidates: list[Candidate]) -> list[tuple[float, Candidate]]:
    if not candidates:
        return []
    best = max(candidate.relevance for candidate in candidates) or 1.0
    scored = []
    for candidate in candidates:
        recency = 0.5 ** (max(0.0, candidate.age_days) / RECENCY_HALF_LIFE_DAYS)
        text = candidate.relevance / best + (PHRASE_BONUS if candidate.phrase else 0.0)
        scored.append((text + RECENCY_WEIGHT * recency, candidate))
    return sorted(scored, key=lambda item: (-item[0], -item[1].message_id))


def _hits(ranked: list[tuple[float, Candidate]], query: Query) -> list[Hit]:
    messages = Message.objects.filter(pk__in=[c.message_id for _, c in ranked]).select_related(
        "conversation"
    )
    by_id = {
        message.pk: message
        for message in messages.only("subject", "text_new", "created_at", "conversation__subject")
    }
    pattern = match_pattern(query)
    return [
        Hit(
            message_id=candidate.message_id,
            conversation_id=candidate.conversation_id,
            subject=by_id[candidate.message_id].subject
            or by_id[candidate.message_id].conversation.subject,
            snippet=snippet(by_id[candidate.message_id].text_new, pattern),
            rank=round(score, 4),
            created_at=by_id[candidate.message_id].created_at,
        )
        for score, candidate in ranked
        if candidate.message_id in by_id
    ]


def _text_score(query: Query, texts: list[str]) -> float:
    """Mean over query words of 1 for a word prefix, else the best similarity to any word of
    `texts` (a customer's names and addresses)."""
    words = set(_WORD.findall(fold(" ".join(texts))))
    if not words:
        return 0.0
    return sum(_word_score(fold(word), words) for word in query.words) / len(query.words)


def _word_score(word: str, candidates: set[str]) -> float:
    if any(candidate.startswith(word) for candidate in candidates):
        return 1.0
    # difflib caches the second sequence, and the quick bounds skip hopeless pairs.
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(word)
    best = 0.0
    for candidate in candidates:
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best:
            best = max(best, matcher.ratio())
    return best
