"""Promises in agent replies are found, and fall due at the moment the conventions say."""

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regard.insight.commitments import Promise, extract

BERLIN = "Europe/Berlin"
MONDAY_10 = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo(BERLIN))
DATA = Path(__file__).parent / "data" / "commitments.jsonl"
FUZZ_WORDS = (
    "I'll", "we", "will", "call", "you", "tomorrow", "at", "3pm", "by", "Friday", "if", "?", ".",
    "within", "2", "99999999", "business", "days", "hours", "on", "12/03", "March", "31", "\n>",
    "next", "week", "end", "of", "the", "day", "let", "me", "check", "and", "\"", "noon", "9",
)  # fmt: skip


def due(text, sent_at=MONDAY_10, tz=BERLIN):
    promises = extract(text, sent_at=sent_at, tz=tz)
    assert len(promises) == 1, promises
    return promises[0].due_at


def at(local, tz=BERLIN):
    return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(tz))


# bad input


def test_empty_text_has_no_promises():
    assert extract("", sent_at=MONDAY_10, tz=BERLIN) == []


@pytest.mark.parametrize("text", [None, 42, b"I'll call you"])
def test_non_string_text_is_a_type_error(text):
    with pytest.raises(TypeError):
        extract(text, sent_at=MONDAY_10, tz=BERLIN)


def test_naive_sent_at_is_a_value_error():
    with pytest.raises(ValueError, match="aware"):
        extract("I'll call you.", sent_at=datetime(2026, 3, 2, 10), tz=BERLIN)


def test_unknown_time_zone_is_a_value_error_naming_it():
    with pytest.raises(ValueError, match="Mars/Olympus"):
        extract("I'll call you.", sent_at=MONDAY_10, tz="Mars/Olympus")


def test_a_megabyte_reply_returns_quickly():
    text = "I'll call you tomorrow and we will check the logs, " * 20_000
    started = time.perf_counter()
    extract(text[:1_000_000], sent_at=MONDAY_10, tz=BERLIN)
    assert time.perf_counter() - started < 3


def test_a_promise_records_its_span_and_timeline():
    text = "Hi Sam, thanks for waiting. I'll call you tomorrow at 3pm."
    (promise,) = extract(text, sent_at=MONDAY_10, tz=BERLIN)
    assert isinstance(promise, Promise)
    assert text[promise.start : promise.end] == promise.text == "I'll call you tomorrow at 3pm."
    assert promise.has_timeline
    assert promise.due_at == at("2026-03-03 15:00")


# what is and is not a promise


def test_a_promise_without_a_timeline_has_no_due_time():
    (promise,) = extract(
        "I'll check with the warehouse and get back to you.", sent_at=MONDAY_10, tz=BERLIN
    )
    assert promise.due_at is None
    assert not promise.has_timeline


@pytest.mark.parametrize(
    "text",
    [
        "I called the warehouse this morning.",
        "Shall I call you?",
        "Would you like me to call you tomorrow?",
        "If you send the receipt, we could refund.",
        "If it still fails, I'll book an engineer.",
        "I think we'll have stock by Friday.",
        "We'll never share your details.",
        "I'll be out of the office until Monday.",
        "Your complaint will be looked into.",
        "You said you'll be home on Thursday.",
    ],
)
def test_look_alikes_are_not_promises(text):
    assert extract(text, sent_at=MONDAY_10, tz=BERLIN) == []


def test_quoted_customer_text_is_ignored():
    text = (
        "Thanks, noted.\n\n> I will call the bank tomorrow.\n\n"
        "On Mon, 2 Mar 2026 at 09:12, Sam <sam@example.com> wrote:\n> We'll return it by Friday."
    )
    assert extract(text, sent_at=MONDAY_10, tz=BERLIN) == []


def test_customer_words_in_quotation_marks_are_ignored():
    text = 'You wrote "I will cancel tomorrow" and I understand why.'
    assert extract(text, sent_at=MONDAY_10, tz=BERLIN) == []


def test_two_promises_in_one_sentence_are_two():
    text = "I'll call you tomorrow and we'll ship the replacement by Friday."
    dues = [p.due_at for p in extract(text, sent_at=MONDAY_10, tz=BERLIN)]
    assert dues == [at("2026-03-03 17:00"), at("2026-03-06 17:00")]


# due-time conventions, Monday 2026-03-02 10:00 in Berlin


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'll send it by end of day.", "2026-03-02 17:00"),
        ("I'll update you today.", "2026-03-02 17:00"),
        ("I'll reply by EOD.", "2026-03-02 17:00"),
        ("I'll call you tomorrow.", "2026-03-03 17:00"),
        ("I'll call you tomorrow at 9.", "2026-03-03 09:00"),
        ("You'll hear from me within 2 hours.", "2026-03-02 12:00"),
        ("I'll email you in 30 minutes.", "2026-03-02 10:30"),
        ("We'll refund you within 5 business days.", "2026-03-09 17:00"),
        ("We'll refund you within 3 working days.", "2026-03-05 17:00"),
        ("I'll have an answer by the end of the week.", "2026-03-06 17:00"),
        ("We'll fix it next week.", "2026-03-09 17:00"),
        ("We'll ship it on Thursday.", "2026-03-05 17:00"),
        ("I'll call you on Monday.", "2026-03-09 17:00"),
        ("I'll call you on Monday at 3pm.", "2026-03-02 15:00"),
        ("I'll call you on Monday at 9am.", "2026-03-09 09:00"),
        ("I'll reply by 3pm.", "2026-03-02 15:00"),
        ("I'll reply by 9am.", "2026-03-03 09:00"),
        ("I'll confirm by March 3.", "2026-03-03 17:00"),
        ("I'll confirm on 12/03.", "2026-03-12 17:00"),
    ],
)
def test_due_time_conventions_on_a_monday_morning(text, expected):
    assert due(text) == at(expected)


def test_numeric_dates_read_month_first_in_american_zones():
    sent = at("2026-03-03 09:00", "America/Los_Angeles")
    assert due("I'll confirm on 3/12.", sent, "America/Los_Angeles") == at(
        "2026-03-12 17:00", "America/Los_Angeles"
    )


def test_friday_evening_end_of_day_means_before_midnight():
    sent = at("2026-03-06 18:30", "America/New_York")
    assert due("I'll sort it by end of day.", sent, "America/New_York") == at(
        "2026-03-06 23:59", "America/New_York"
    )


def test_friday_evening_business_days_skip_the_weekend():
    sent = at("2026-03-06 18:30", "America/New_York")
    assert due("We'll reply within 2 business days.", sent, "America/New_York") == at(
        "2026-03-10 17:00", "America/New_York"
    )


def test_saturday_end_of_week_is_next_friday():
    sent = at("2026-03-07 11:00", "Europe/London")
    assert due("I'll finish it by the end of the week.", sent, "Europe/London") == at(
        "2026-03-13 17:00", "Europe/London"
    )


def test_hours_count_real_time_across_a_dst_change():
    sent = at("2026-10-24 22:00")  # Berlin clocks go back at 03:00 overnight
    assert due("We'll be back within 6 hours.", sent) == datetime(2026, 10, 25, 2, 0, tzinfo=UTC)


def test_tomorrow_keeps_wall_time_after_a_dst_change():
    sent = at("2026-03-29 09:00")  # Berlin sprang forward at 02:00
    assert due("I'll call you tomorrow at 9.", sent).isoformat() == "2026-03-30T09:00:00+02:00"


def test_a_wall_time_skipped_by_dst_moves_forward():
    sent = at("2026-03-28 12:00")  # Berlin skips 02:00-03:00 on the 29th
    assert due("I'll call you tomorrow at 2:30am.", sent).isoformat() == "2026-03-29T03:30:00+02:00"


def test_auckland_days_follow_the_local_date_not_utc():
    sent = datetime(2026, 3, 3, 22, 0, tzinfo=UTC)  # Wednesday 11:00 in Auckland
    assert due("I'll call you tomorrow.", sent, "Pacific/Auckland") == at(
        "2026-03-05 17:00", "Pacific/Auckland"
    )


def test_honolulu_today_is_still_thursday():
    sent = datetime(2026, 3, 6, 2, 30, tzinfo=UTC)  # Thursday 16:30 in Honolulu
    assert due("I'll email you today.", sent, "Pacific/Honolulu") == at(
        "2026-03-05 17:00", "Pacific/Honolulu"
    )


# the labelled set


def test_labelled_set_meets_its_targets():
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from commitments import load, score

    scores = score(load(DATA))
    assert scores["precision"] >= 0.9
    assert scores["recall"] >= 0.85
    assert scores["due_accuracy"] >= 0.85


@settings(max_examples=150, deadline=None)
@given(
    text=st.lists(st.sampled_from(FUZZ_WORDS), max_size=40).map(" ".join),
    hours=st.integers(min_value=0, max_value=24 * 365),
)
def test_any_reply_yields_well_formed_promises(text, hours):
    sent = MONDAY_10 + timedelta(hours=hours)
    for promise in extract(text, sent_at=sent, tz="Pacific/Auckland"):
        assert text[promise.start : promise.end] == promise.text
        assert promise.has_timeline == (promise.due_at is not None)
