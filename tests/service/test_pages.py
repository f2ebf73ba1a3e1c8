"""What agents see: policies in words, attainment over a period, clocks on a conversation, and
the inbox's Breaching soon view sorted by due time."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from regard.conversations import actions
from regard.service.sweeps import escalate
from tests.factories import PASSWORD, make_conversation, make_customer
from tests.service.conftest import berlin, policy

pytestmark = pytest.mark.django_db


def login(client, agent):
    assert client.login(username=agent.user.username, password=PASSWORD)


def test_policies_page_says_conditions_targets_hours_and_escalation_in_words(
    client, agent, standard
):
    policy("VIP", position=1, vip_only=True, first_reply_minutes=90, calendar=None)
    standard.calendar.holidays.create(date=berlin(2026, 12, 25).date(), name="Christmas")
    login(client, agent)
    page = client.get(reverse("service:policies")).content.decode()
    assert "VIP customers" in page and "first reply within 1 h 30 min of business time" in page
    assert "every conversation" in page and "resolution within 40 business hours" in page
    assert "warn the assignee at 75% of a target" in page
    assert "Europe/Berlin" in page and "09:00-17:00" in page and "Christmas" in page
    assert "New policy" not in page  # agents read; admins edit


def test_attainment_per_policy_team_and_agent_over_the_dates_asked(client, agent, team, standard):
    on_time = make_conversation(at=berlin(2026, 3, 2, 9), team=team, assignee=agent)
    actions.send_reply(agent.user, on_time, "Hi", at=berlin(2026, 3, 2, 10))
    late = make_conversation(at=berlin(2026, 3, 2, 9), team=team, assignee=agent)
    actions.send_reply(agent.user, late, "Sorry", at=berlin(2026, 3, 2, 15))
    make_conversation(at=berlin(2026, 4, 20, 9), team=team)  # outside the period
    login(client, agent)
    with time_machine.travel(berlin(2026, 3, 3, 12), tick=False):
        response = client.get(
            reverse("service:attainment"), {"from": "2026-03-01", "to": "2026-03-31"}
        )
    figures = response.context["figures"]
    assert figures["overall"].rates["first_reply"].met == 1
    assert figures["overall"].rates["first_reply"].late == 1
    assert [row.name for row in figures["policy"]] == ["Standard"]
    assert [row.name for row in figures["team"]] == ["Orders"]
    assert [row.name for row in figures["agent"]] == ["Dana Reyes"]
    assert "50%" in response.content.decode()


def test_conversation_page_shows_time_left_and_the_due_time_explained(client, agent, standard):
    conversation = make_conversation(at=berlin(2026, 3, 27, 15))
    login(client, agent)
    with time_machine.travel(berlin(2026, 3, 27, 16), tick=False):
        page = client.get(reverse("web:conversation", args=[conversation.pk])).content.decode()
    assert "3 h left" in page
    assert "due Mon 11:00: 4 business hours from Fri 15:00, Saturday and Sunday skipped" in page
    with time_machine.travel(berlin(2026, 3, 30, 11, 30), tick=False):
        page = client.get(reverse("web:conversation", args=[conversation.pk])).content.decode()
    assert "breached by 30 min" in page


def test_breaching_soon_lists_only_conversations_close_to_a_due_time_soonest_first(
    client, agent, standard
):
    later = make_conversation(at=berlin(2026, 3, 2, 9, 30), assignee=agent)
    sooner = make_conversation(make_customer(name="Zoë"), at=berlin(2026, 3, 2, 9), assignee=agent)
    relaxed = make_conversation(at=berlin(2026, 3, 2, 11, 30), assignee=agent)
    login(client, agent)
    with time_machine.travel(berlin(2026, 3, 2, 11, 45), tick=False):
        escalate(berlin(2026, 3, 2, 12, 15))
        response = client.get(reverse("web:inbox"), {"view": "breaching"})
        rows = list(response.context["rows"])
        assert rows == [sooner, later]
        assert relaxed not in rows
        assert response.context["counts"]["breaching"] == 2
        mine = client.get(reverse("web:inbox"), {"view": "mine", "sort": "due"})
        assert list(mine.context["rows"]) == [sooner, later, relaxed]
        assert "Service level due soon" in mine.content.decode()  # needs-your-attention panel


def test_admins_edit_calendars_in_the_admin_and_bad_hours_are_named(client, admin_agent):
    from django.contrib.auth.models import User

    from regard.service.models import BusinessCalendar

    User.objects.filter(pk=admin_agent.user_id).update(is_staff=True, is_superuser=True)
    login(client, admin_agent)
    form = {
        "name": "Lisbon",
        "time_zone": "Europe/Lisbon",
        "monday": "9h to 5",
        **{day: "09:00-17:00" for day in ("tuesday", "wednesday", "thursday", "friday")},
        "saturday": "",
        "sunday": "",
        "holidays-TOTAL_FORMS": "1",
        "holidays-INITIAL_FORMS": "0",
        "holidays-0-date": "2026-06-13",
        "holidays-0-name": "Santo António",
    }
    refused = client.post(reverse("admin:service_businesscalendar_add"), form)
    assert refused.status_code == 200
    assert "is not like 09:00-17:00" in refused.content.decode()
    form["monday"] = "09:00-13:00, 14:00-18:00"
    saved = client.post(reverse("admin:service_businesscalendar_add"), form)
    assert saved.status_code == 302
    lisbon = BusinessCalendar.objects.get(name="Lisbon")
    assert [h.name for h in lisbon.holidays.all()] == ["Santo António"]
    page = client.get(reverse("service:policies")).content.decode()
    assert "09:00-13:00, 14:00-18:00" in page and "New calendar" in page


def test_admins_edit_policies_and_calendars_in_the_workspace(client, admin_agent):
    from regard.service.models import BusinessCalendar, Policy

    login(client, admin_agent)
    bad = client.post(reverse("service:policy_new"), {"name": "Nothing", "position": 5})
    assert bad.status_code == 400 and "at least one target" in bad.content.decode()
    made = client.post(
        reverse("service:calendar_new"),
        {
            "name": "Auckland",
            "time_zone": "Pacific/Auckland",
            "monday": "08:30-17:30",
            "holidays": "2026-02-06 Waitangi Day\nnot-a-date",
        },
    )
    assert made.status_code == 400
    assert made.context["form"].errors["holidays"] == [
        "line 2: 'not-a-date' is not a date like 2026-12-25"
    ]
    made = client.post(
        reverse("service:calendar_new"),
        {
            "name": "Auckland",
            "time_zone": "Pacific/Auckland",
            "monday": "08:30-17:30",
            "holidays": "2026-02-06 Waitangi Day",
        },
    )
    assert made.status_code == 302
    auckland = BusinessCalendar.objects.get(name="Auckland")
    assert [(h.date.isoformat(), h.name) for h in auckland.holidays.all()] == [
        ("2026-02-06", "Waitangi Day")
    ]
    form = {
        "name": "Kiwis",
        "position": 5,
        "active": "on",
        "first_reply_minutes": 120,
        "calendar": auckland.pk,
        "warn_fraction": 0.8,
        "supervisor_after_minutes": 30,
    }
    assert client.post(reverse("service:policy_new"), form).status_code == 302
    kiwis = Policy.objects.get(name="Kiwis")
    assert (kiwis.calendar, kiwis.warn_fraction) == (auckland, 0.8)
    form["first_reply_minutes"] = 90
    assert client.post(reverse("service:policy_edit", args=[kiwis.pk]), form).status_code == 302
    kiwis.refresh_from_db()
    assert kiwis.first_reply_minutes == 90


def test_agents_may_not_edit_policies(client, agent, standard):
    login(client, agent)
    url = reverse("service:policy_edit", args=[standard.pk])
    assert client.post(url, {"name": "Mine now"}).status_code == 403
