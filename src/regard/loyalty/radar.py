"""The indifference radar: a health score per customer with its reasons in words.

Set-based: one aggregate query per signal over all customers, a little arithmetic in Python on
the grouped rows, then one bulk rewrite of CustomerHealth. Nothing here loops over customers
with a query each, so 100,000 customers cost the same handful of queries as ten.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from regard.commitments.choices import State
from regard.commitments.models import Commitment
from regard.conversations.actions import subject_key
from regard.conversations.choices import ACTIVE_STATUSES, Direction
from regard.conversations.models import Conversation, Event, Message
from regard.customers.models import Customer
from regard.insight.emotion_rules import NEGATIVE
from regard.loyalty.choices import SCALES, SurveyKind
from regard.loyalty.conf import policy
from regard.loyalty.models import CustomerHealth, SurveyAnswer

REPEAT_DAYS = 30
EMOTION_DAYS = 30
PROMISE_DAYS = 90
SURVEY_DAYS = 90
ESCALATION_DAYS = 60
VALUED_CONVERSATIONS = 5
ESCALATIONS = ("service.breached", "service.escalated", "conversation.escalated")
BATCH = 5000
CHUNK = 2000  # ids per IN (...): well under SQLite's limit of bound parameters
_WORD = re.compile(r"[a-z0-9]{3,}")
_FILLER = frozenset("the and for with your you my our about from this that re fwd".split())


@dataclass
class Reading:
    reasons: list[dict]
    value: int = 0

    def add(self, code: str, points: int, text: str) -> None:
        self.reasons.append({"code": code, "points": points, "text": text})


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _duration(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    return _plural(hours, "hour") if hours < 48 else _plural(hours // 24, "day")


def unanswered(readings, now) -> None:
    rows = (
        Conversation.objects.filter(status__in=ACTIVE_STATUSES, waiting_since__isnull=False)
        .values("customer_id")
        .annotate(waiting=Count("id"), oldest=Min("waiting_since"))
        .order_by()
    )
    for row in rows:
        waited = now - row["oldest"]
        hours = waited.total_seconds() / 3600
        points = 35 if hours >= 72 else 25 if hours >= 24 else 10 if hours >= 4 else 0
        if points:
            several = f" ({row['waiting']} conversations)" if row["waiting"] > 1 else ""
            text = f"waiting for our answer for {_duration(waited)}{several}"
            readings[row["customer_id"]].add("unanswered", points, text)


def promises(readings, now) -> None:
    rows = (
        Commitment.objects.filter(
            Q(state=State.BROKEN, due_at__gte=now - timedelta(days=PROMISE_DAYS))
            | Q(state=State.OPEN, due_at__lt=now)
        )
        .values("conversation__customer_id")
        .annotate(
            broken=Count("id", filter=Q(state=State.BROKEN)),
            overdue=Count("id", filter=Q(state=State.OPEN)),
        )
        .order_by()
    )
    for row in rows:
        reading = readings[row["conversation__customer_id"]]
        if row["broken"]:
            text = f"{_plural(row['broken'], 'promise')} to them broken in {PROMISE_DAYS} days"
            reading.add("broken_promise", min(40, 20 * row["broken"]), text)
        if row["overdue"]:
            reading.add(
                "overdue_promise",
                min(30, 15 * row["overdue"]),
                f"{_plural(row['overdue'], 'promise')} to them overdue",
            )


def _words(subject: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(subject_key(subject)) if w not in _FILLER)


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) >= 0.5


def repeat_contacts(readings, now) -> None:
    """Several conversations in 30 days whose subjects share most of their words."""
    subjects = defaultdict(list)
    recent = Conversation.objects.filter(created_at__gte=now - timedelta(days=REPEAT_DAYS))
    rows = recent.values_list("customer_id", "subject").order_by("customer_id", "created_at")
    for customer_id, subject in rows:
        subjects[customer_id].append(subject)
    for customer_id, seen in subjects.items():
        if len(seen) < 2:
            continue
        words = [_words(s) for s in seen]
        best, about = 1, ""
        for i, first in enumerate(words):
            alike = 1 + sum(_similar(first, other) for other in words[i + 1 :])
            if alike > best:
                best, about = alike, seen[i]
        if best >= 2:
            text = f"wrote {best} times in {REPEAT_DAYS} days about “{about}”"
            readings[customer_id].add("repeat_contact", min(35, 15 + 10 * (best - 2)), text)


def negative_trend(readings, now) -> None:
    """This month's inbound messages against the two months before: more of them upset?

    Two steps, so the database never groups every message by customer: first the customers
    with two or more upset messages this month (few), then their counts."""
    recent = now - timedelta(days=EMOTION_DAYS)
    bad = Q(emotion__in=sorted(NEGATIVE)) | Q(complaint=True)
    inbound = Message.objects.filter(direction=Direction.INBOUND)
    upset = Counter(
        inbound.filter(bad, created_at__gte=recent)
        .values_list("conversation__customer_id", flat=True)
        .order_by()
    )
    candidates = sorted(customer for customer, n in upset.items() if n >= 2)
    for start in range(0, len(candidates), CHUNK):
        rows = (
            inbound.filter(
                conversation__customer_id__in=candidates[start : start + CHUNK],
                created_at__gte=now - timedelta(days=3 * EMOTION_DAYS),
            )
            .values("conversation__customer_id")
            .annotate(
                recent=Count("id", filter=Q(created_at__gte=recent)),
                before=Count("id", filter=Q(created_at__lt=recent)),
                before_bad=Count("id", filter=bad & Q(created_at__lt=recent)),
            )
            .order_by()
        )
        for row in rows:
            customer_id = row["conversation__customer_id"]
            n, bad_n = row["recent"], upset[customer_id]
            worse = bad_n * (row["before"] or 1) > row["before_bad"] * n
            if 2 * bad_n >= n and worse:
                text = (
                    f"{bad_n} of their {n} messages this month upset or complaining "
                    f"(before: {row['before_bad']} of {row['before']})"
                )
                readings[customer_id].add("negative_trend", min(30, 20 + 5 * (bad_n - 2)), text)


def silence(readings, valued: dict[int, str], days: int, now) -> None:
    """Valued customers with no message written to them by a person in `days` days."""
    touched = set(
        Message.objects.filter(
            direction=Direction.OUTBOUND,
            author__isnull=False,
            created_at__gte=now - timedelta(days=days),
        )
        .values_list("conversation__customer_id", flat=True)
        .distinct()
        .order_by()
    )
    for customer_id, why in valued.items():
        if customer_id not in touched:
            text = f"{why}, and no personal message from us in {days} days"
            readings[customer_id].add("silence", 25, text)


def low_surveys(readings, now) -> None:
    rows = (
        SurveyAnswer.objects.filter(answered_at__gte=now - timedelta(days=SURVEY_DAYS))
        .values("survey__customer_id", "survey__kind")
        .annotate(low=Min("score"))
        .order_by()
    )
    for row in rows:
        kind, low = row["survey__kind"], row["low"]
        bottom, top, unhappy = SCALES[kind]
        if low <= unhappy:
            label = SurveyKind(kind).label
            text = f"answered {low} of {top} to {label}"
            readings[row["survey__customer_id"]].add("low_survey", 30, text)


def escalations(readings, now) -> None:
    rows = (
        Event.objects.filter(
            kind__in=ESCALATIONS,
            created_at__gte=now - timedelta(days=ESCALATION_DAYS),
            customer_id__isnull=False,
        )
        .values("customer_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        n = row["n"]
        times = "once" if n == 1 else "twice" if n == 2 else f"{n} times"
        text = f"escalated {times} in {ESCALATION_DAYS} days"
        readings[row["customer_id"]].add("escalation", min(30, 20 * n), text)


def read_all(now) -> dict[int, Reading]:
    """Every signal for every customer, keyed by customer id."""
    readings: dict[int, Reading] = defaultdict(lambda: Reading([]))
    vip = set(
        Customer.objects.filter(vip=True, merged_into__isnull=True).values_list("pk", flat=True)
    )
    valued = {pk: "VIP" for pk in vip}
    # The (customer, created_at) index covers this count: no table row is read.
    totals = Conversation.objects.values_list("customer_id").annotate(n=Count("id")).order_by()
    for customer_id, total in totals:
        value = (50 if customer_id in vip else 0) + min(50, 5 * total)
        readings[customer_id].value = min(100, value)
        if total >= VALUED_CONVERSATIONS:
            valued.setdefault(customer_id, f"{total} conversations with us")
    for customer_id in vip:
        readings[customer_id].value = max(readings[customer_id].value, 50)
    unanswered(readings, now)
    promises(readings, now)
    repeat_contacts(readings, now)
    negative_trend(readings, now)
    silence(readings, valued, policy().silence_days, now)
    low_surveys(readings, now)
    escalations(readings, now)
    return readings


def recompute(now=None) -> int:
    """Rewrite the health of every customer with a reason for concern; returns how many.

    Customers without a row are healthy (score 100): most customers, most of the time, so the
    one bulk write stays small."""
    now = now or timezone.now()
    readings = read_all(now)
    merged = set(Customer.objects.filter(merged_into__isnull=False).values_list("pk", flat=True))
    rows = []
    for customer_id, reading in readings.items():
        if not reading.reasons or customer_id in merged:
            continue
        reasons = sorted(reading.reasons, key=lambda r: -r["points"])
        risk = min(100, sum(r["points"] for r in reasons))
        rows.append(
            CustomerHealth(
                customer_id=customer_id,
                score=100 - risk,
                risk=risk,
                value=reading.value,
                reasons=reasons,
                computed_at=now,
            )
        )
    with transaction.atomic():
        CustomerHealth.objects.all().delete()
        CustomerHealth.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def last_computed():
    return CustomerHealth.objects.aggregate(at=Max("computed_at"))["at"]
