"""Service clocks follow a conversation: started by the customer, met by a reply, paused while
pending, stopped when solved, restarted when reopened; every instant is passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from regard.conversations import actions
from regard.conversations.models import Tag
from regard.customers.models import Organization
from regard.service.actions import on_message_received
from regard.service.display import clocks_for
from regard.service.models import BusinessCalendar, Policy, ServiceClock
from tests.factories import make_agent, make_conversation, make_customer
from tests.service.conftest import berlin, clocks, office, policy

pytestmark = pytest.mark.django_db


# bad input first


def test_calendar_hours_that_are_not_times_are_refused_naming_the_day():
    calendar = BusinessCalendar(name="Bad", time_zone="Europe/Berlin", monday="9-17")
    with pytest.raises(ValidationError) as error:
        calendar.full_clean()
    assert "monday" in error.value.message_dict
    assert "not like 09:00-17:00" in error.value.message_dict["monday"][0]


def test_calendar_with_unknown_zone_or_crossing_midnight_or_no_hours_is_refused():
    with pytest.raises(ValidationError, match="unknown time zone"):
        BusinessCalendar(name="A", time_zone="Mars/Olympus").full_clean()
    with pytest.raises(ValidationError, match="may not cross midnight"):
        BusinessCalendar(name="B", time_zone="UTC", monday="22:00-02:00").full_clean()
    closed = {day: "" for day in ("monday", "tuesday", "wednesday", "thursday", "friday")}
    with pytest.raises(ValidationError, match="at least one opening interval"):
        BusinessCalendar(name="C", time_zone="UTC", **closed).full_clean()


def test_policy_without_any_target_or_with_a_silly_warning_share_is_refused():
    with pytest.raises(ValidationError, match="at least one target"):
        Policy(name="Empty").full_clean()
    with pytest.raises(ValidationError) as error:
        Policy(name="Late warning", first_reply_minutes=60, warn_fraction=1.5).full_clean()
    assert "warn_fraction" in error.value.message_dict


def test_midnight_is_written_24_00_and_means_the_end_of_the_day():
    calendar = office("Late shift", saturday="18:00-24:00")
    assert calendar.hours_in_words()[5] == ("Saturday", "18:00-24:00")
    assert calendar.as_calendar().week[5] == [(datetime(1, 1, 1, 18).time(), datetime.min.time())]


# starting and meeting


def test_without_any_policy_no_clock_starts():
    conversation = make_conversation(at=berlin(2026, 3, 2, 10))
    assert not ServiceClock.objects.filter(conversation=conversation).exists()


def test_friday_afternoon_message_is_due_monday_in_business_hours(standard):
    conversation = make_conversation(at=berlin(2026, 3, 27, 15))
    running = clocks(conversation)
    assert set(running) == {"first_reply", "resolution"}
    first = running["first_reply"]
    assert first.due_at == berlin(2026, 3, 30, 11)  # 2 h on Friday, 2 h on Monday
    assert first.warn_at == berlin(2026, 3, 30, 10)  # 75 % of 4 h
    assert first.next_step_at == first.warn_at
    assert first.policy == standard


def test_a_reply_meets_the_first_reply_clock_and_the_next_message_starts_a_next_reply_clock(
    standard,
):
    dana = make_agent("dana")
    conversation = make_conversation(at=berlin(2026, 3, 2, 9))
    actions.send_reply(dana.user, conversation, "On it.", at=berlin(2026, 3, 2, 10))
    first = clocks(conversation)["first_reply"]
    assert first.met_at == berlin(2026, 3, 2, 10) and first.breached_at is None
    assert first.next_step_at is None

    actions.receive_message(conversation, text_full="Thanks, any news?", at=berlin(2026, 3, 2, 16))
    following = clocks(conversation, stopped_at__isnull=True)
    assert set(following) == {"next_reply", "resolution"}
    assert following["next_reply"].due_at == berlin(2026, 3, 3, 16)  # 1 h Mon, 7 h Tue


def test_a_second_message_before_any_reply_starts_nothing_new_and_costs_one_query(standard):
    conversation = make_conversation(at=berlin(2026, 3, 2, 9))
    message = actions.receive_message(conversation, text_full="Hello?", at=berlin(2026, 3, 2, 9, 5))
    assert ServiceClock.objects.filter(conversation=conversation).count() == 2
    with CaptureQueriesContext(connection) as queries:
        on_message_received(message)
    assert len(queries) == 1


def test_a_late_reply_is_recorded_as_a_breach_even_before_the_sweep_runs(standard):
    dana = make_agent("dana")
    conversation = make_conversation(at=berlin(2026, 3, 2, 9))
    actions.send_reply(dana.user, conversation, "Sorry!", at=berlin(2026, 3, 2, 14))
    first = clocks(conversation)["first_reply"]
    assert first.met_at == berlin(2026, 3, 2, 14)
    assert first.breached_at == berlin(2026, 3, 2, 13)


# pauses, solving, reopening


def test_pending_pauses_the_clocks_and_the_customers_reply_moves_the_due_time(standard):
    dana = make_agent("dana")
    conversation = make_conversation(at=berlin(2026, 3, 2, 9))
    actions.send_reply(dana.user, conversation, "Which order?", at=berlin(2026, 3, 2, 10))
    actions.change_status(dana.user, conversation, "pending", at=berlin(2026, 3, 2, 11))
    resolution = clocks(conversation)["resolution"]
    assert resolution.due_at is None and resolution.paused_since == berlin(2026, 3, 2, 11)
    assert resolution.next_step_at is None

    actions.receive_message(conversation, text_full="Order 42", at=berlin(2026, 3, 2, 13))
    resolution.refresh_from_db()
    assert resolution.paused_since is None and len(resolution.pauses) == 1
    # 40 business hours from Mon 09:00 end Fri 17:00; the 2 h paused move them to Mon 11:00.
    assert resolution.due_at == berlin(2026, 3, 9, 11)
    [view] = [
        c for c in clocks_for(conversation, berlin(2026, 3, 2, 14)) if c.metric == "resolution"
    ]
    assert "paused 2 h while pending" in view.explanation
    assert view.explanation.startswith("due Mon 9 Mar 2026 11:00: 40 business hours from")


def test_a_paused_clock_explains_that_nothing_is_due_until_the_customer_answers(standard):
    dana = make_agent("dana")
    conversation = make_conversation(at=berlin(2026, 3, 2, 9))
    actions.send_reply(
        dana.user, conversation, "Which order?", status="pending", at=berlin(2026, 3, 2, 10)
    )
    [view] = clocks_for(conversation, berlin(2026, 3, 2, 12))[1:]
    assert view.state == "paused"
    assert "clock stopped while pending since Mon 10:00 with 39 h left" in view.explanation


def test_solving_meets_the_resolution_and_reopening_restarts_it(standard):
    dana = make_agent("dana")
    conversation = make_conversation(at=berlin(2026, 3, 2, 9))
    actions.send_reply(dana.user, conversation, "Done.", status="solved", at=berlin(2026, 3, 2, 10))
    ended = clocks(conversation)
    assert ended["resolution"].met_at == berlin(2026, 3, 2, 10)
    assert ended["first_reply"].met_at == berlin(2026, 3, 2, 10)
    assert not ServiceClock.objects.filter(conversation=conversation, stopped_at=None).exists()

    actions.receive_message(conversation, text_full="Still broken", at=berlin(2026, 3, 3, 9))
    running = clocks(conversation, stopped_at__isnull=True)
    assert set(running) == {"resolution", "next_reply"}
    assert running["resolution"].started_at == berlin(2026, 3, 3, 9)
    assert ServiceClock.objects.filter(conversation=conversation, metric="resolution").count() == 2


def test_solving_without_a_reply_ends_the_reply_clock_without_meeting_it(standard):
    dana = make_agent("dana")
    conversation = make_conversation(at=berlin(2026, 3, 2, 9))
    actions.change_status(dana.user, conversation, "solved", at=berlin(2026, 3, 2, 9, 30))
    first = clocks(conversation)["first_reply"]
    assert first.stopped_at == berlin(2026, 3, 2, 9, 30) and first.met_at is None


# choosing the policy


def test_the_first_matching_policy_by_position_wins_and_vip_and_upset_get_tighter_targets(
    standard,
):
    vip = policy("VIP", position=1, vip_only=True, first_reply_minutes=60)
    upset = policy("Upset", position=2, upset_only=True, first_reply_minutes=30)
    standard.position = 10
    standard.save()
    calm = make_conversation(at=berlin(2026, 3, 2, 9))
    important = make_conversation(make_customer(vip=True), at=berlin(2026, 3, 2, 9))
    angry = make_conversation(
        text="This is absolutely unacceptable!!! I am furious, third time I write, NOTHING works!",
        at=berlin(2026, 3, 2, 9),
    )
    assert clocks(calm)["first_reply"].policy == standard
    assert clocks(important)["first_reply"].policy == vip
    assert angry.upset
    assert clocks(angry)["first_reply"].policy == upset
    assert clocks(angry)["first_reply"].due_at == berlin(2026, 3, 2, 9, 30)


def test_conditions_on_channel_organization_priority_and_tag_must_all_hold(standard):
    acme = Organization.objects.create(name="Acme")
    tag = Tag.objects.create(name="billing")
    strict = policy(
        "Acme urgent billing mail",
        position=1,
        channel="email",
        organization=acme,
        min_priority=3,
        tag=tag,
        first_reply_minutes=15,
    )
    customer = make_customer(organization=acme)
    other = make_conversation(customer, at=berlin(2026, 3, 2, 9))
    assert clocks(other)["first_reply"].policy == standard  # not urgent, not tagged

    conversation = actions.open_conversation(
        None, customer, subject="Invoice", channel="email", priority=4, at=berlin(2026, 3, 2, 9)
    )
    conversation.tags.add(tag)
    actions.receive_message(conversation, text_full="Wrong invoice", at=berlin(2026, 3, 2, 9))
    assert clocks(conversation)["first_reply"].policy == strict


def test_a_policy_without_a_calendar_counts_the_teams_hours_else_around_the_clock(team):
    policy("Anywhere")
    office("Orders hours", team=team)
    in_team = make_conversation(at=berlin(2026, 3, 27, 15), team=team)
    no_team = make_conversation(at=berlin(2026, 3, 27, 15))
    assert clocks(in_team)["first_reply"].due_at == berlin(2026, 3, 30, 11)
    assert clocks(no_team)["first_reply"].due_at == berlin(2026, 3, 27, 19)


# time zones, daylight saving, the date line


def test_a_round_the_clock_target_over_the_spring_forward_night_counts_real_hours(db):
    policy("24/7", first_reply_minutes=8 * 60)
    conversation = make_conversation(at=berlin(2026, 3, 28, 22))
    # 8 real hours later; the wall clock shows 07:00 because 02:00-03:00 never happened.
    due = clocks(conversation)["first_reply"].due_at
    assert due - berlin(2026, 3, 28, 22) == timedelta(hours=8)
    assert due.astimezone(berlin(2026, 1, 1).tzinfo).hour == 7


def test_office_hours_keep_the_wall_clock_across_the_autumn_change(standard):
    conversation = make_conversation(at=berlin(2026, 10, 23, 16))  # Friday before fall-back
    assert clocks(conversation)["first_reply"].due_at == berlin(2026, 10, 26, 12)


def test_the_same_instant_is_monday_on_one_side_of_the_date_line_and_sunday_on_the_other(db):
    kiritimati = policy(
        "Line Islands", position=1, team=None, calendar=office("Kiritimati", "Pacific/Kiritimati")
    )
    pago = policy("Samoa", position=2, calendar=office("Pago Pago", "Pacific/Pago_Pago"))
    # Sun 2026-03-01 20:00 UTC: Mon 10:00 at UTC+14, Sat 09:00 at UTC-11.
    instant = datetime(2026, 3, 1, 20, tzinfo=UTC)
    east = make_conversation(at=instant)
    assert clocks(east)["first_reply"].policy == kiritimati
    assert clocks(east)["first_reply"].due_at == datetime(2026, 3, 2, 0, tzinfo=UTC)  # Mon 14:00
    kiritimati.active = False
    kiritimati.save()
    west = make_conversation(at=instant)
    assert clocks(west)["first_reply"].policy == pago
    # Saturday and Sunday are closed at UTC-11: counts from Mon 09:00 local = Mon 20:00 UTC.
    assert clocks(west)["first_reply"].due_at == datetime(2026, 3, 3, 0, tzinfo=UTC)


def test_a_holiday_is_skipped_and_named(standard):
    standard.calendar.holidays.create(date=berlin(2026, 3, 30).date(), name="Staff day")
    conversation = make_conversation(at=berlin(2026, 3, 27, 15))
    first = clocks(conversation)["first_reply"]
    assert first.due_at == berlin(2026, 3, 31, 11)
    [view, _] = clocks_for(conversation, berlin(2026, 3, 27, 16))
    assert "Saturday, Sunday and the holiday on 30 Mar skipped" in view.explanation
