"""The inbox's rows, written in Python for speed: what each cell says, and all of it escaped."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation
from django.utils.dateformat import format as format_date
from django.utils.timesince import timesince

from regard.web.templatetags.inbox_rows import conversation_rows, span
from tests.factories import make_conversation, make_customer

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def cells(html: str) -> list[str]:
    return html.split("<td>")[1:]


def test_a_row_links_the_conversation_and_names_the_person(agent):
    customer = make_customer(name="Hana Okafor", vip=True)
    conversation = make_conversation(customer, subject="Kettle <b>broken</b>")
    conversation.assignee = agent
    conversation.waiting_since = NOW - timedelta(hours=3)
    html = conversation_rows([conversation], now=NOW)
    assert html.startswith(f'<tr data-href="/conversations/{conversation.pk}/">')
    check, name, subject, status, assignee, waiting, due = cells(html)
    assert f'aria-label="Select #{conversation.pk}"' in check
    assert '<span class="badge vip" title="VIP">VIP</span> Hana Okafor' in name
    assert "Kettle &lt;b&gt;broken&lt;/b&gt;</a>" in subject
    assert f"#{conversation.pk} · E-mail" in subject
    label = conversation.get_status_display()
    assert f'<span class="status {conversation.status}">{label}</span>' in status
    assert "Dana Reyes" in assignee
    assert "3\xa0hours ago</time>" in waiting
    assert due.startswith("—")


def test_an_upset_customer_shows_the_feeling_escaped():
    conversation = make_conversation(subject="")
    conversation.upset, conversation.emotion = True, '<img src=x onerror=alert(1)>"'
    html = conversation_rows([conversation], now=NOW)
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;&quot;</span>" in html
    assert "(no subject)</a>" in html
    conversation.emotion = ""
    assert '<span class="badge upset" title="Upset: ">upset</span>' in conversation_rows(
        [conversation], now=NOW
    )


def test_the_due_cell_counts_down_then_says_late():
    conversation = make_conversation()
    conversation.next_due = NOW + timedelta(minutes=40)
    due = cells(conversation_rows([conversation], now=NOW))[-1]
    assert "in 40\xa0minutes</time>" in due and "clock-breached" not in due
    assert f'datetime="{timezone.localtime(conversation.next_due).isoformat()}"' in due
    conversation.next_due = NOW - timedelta(hours=2)
    due = cells(conversation_rows([conversation], now=NOW))[-1]
    assert '<span class="badge clock-breached">late 2\xa0hours</span>' in due


def test_no_rows_is_an_empty_string():
    assert conversation_rows([], now=NOW) == ""


@pytest.mark.parametrize(
    "seconds",
    [-90, 0, 59, 60, 61, 3599, 3600, 3660, 7322, 86399, 86400, 90061, 6 * 86400 + 3600, 604800,
     604800 + 3600, 604800 + 86400 + 60, 27 * 86400 + 86399, 28 * 86400 - 1, 28 * 86400,
     31 * 86400 + 7200, 400 * 86400],
)  # fmt: skip
def test_spans_say_what_timesince_says(seconds):
    start = datetime(2026, 1, 30, 22, 15, 7, tzinfo=UTC)
    end = start + timedelta(seconds=seconds)
    assert span(start, end) == timesince(start, end)


def test_spans_over_months_and_years_say_what_timesince_says():
    rng = random.Random(7)
    for _ in range(3000):
        start = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(3 * 365 * 86400))
        start = start.replace(microsecond=rng.choice((0, 500_000)))
        end = start + timedelta(seconds=rng.choice((rng.randrange(86400 * 800), 28 * 86400)))
        assert span(start, end) == timesince(start, end), (start, end)


def test_spans_and_dates_follow_the_language_and_time_zone():
    conversation = make_conversation()
    conversation.next_due = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    now = conversation.next_due - timedelta(days=40, hours=5)
    zone = ZoneInfo("Asia/Tokyo")
    with translation.override("de"), timezone.override(zone):
        due = cells(conversation_rows([conversation], now=now))[-1]
        local = conversation.next_due.astimezone(zone)
        assert f'title="{format_date(local, "D j M, H:i")}"' in due
        assert f'datetime="{local.isoformat()}"' in due
        assert f"in {timesince(now, conversation.next_due)}</time>" in due
        assert "Mo 2 Mär, 08:30" in due and "Monat" in due
