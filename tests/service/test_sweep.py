"""The breach sweep: warn the assignee, tell the lead at the breach, then a supervisor; each
step once, as an Event and a notification; set-based, so running clocks cost nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from regard.accounts.choices import Role
from regard.accounts.models import Notification
from regard.conversations import actions
from regard.conversations.models import Conversation, Event
from regard.service.models import ServiceClock
from regard.service.sweeps import escalate
from regard.system.clock import sweep
from tests.factories import make_agent, make_conversation
from tests.service.conftest import berlin, clocks

pytestmark = pytest.mark.django_db

START = berlin(2026, 3, 2, 9)  # Monday; first reply due 13:00, warning at 12:00


@pytest.fixture
def people(team, standard):
    dana = make_agent("dana", teams=[team], display_name="Dana Reyes")
    lead = make_agent("lena", teams=[team], display_name="Lena Lead")
    team.lead = lead
    team.save()
    boss = make_agent("sam", role=Role.SUPERVISOR, display_name="Sam Super")
    return dana, lead, boss


def assigned_conversation(team, dana):
    conversation = make_conversation(at=START, team=team)
    return actions.assign_conversation(None, conversation, assignee=dana, team=team)


def notified(agent) -> list[str]:
    return list(Notification.objects.filter(recipient=agent).values_list("kind", flat=True))


def test_nothing_happens_before_the_warning(people, team):
    dana, *_ = people
    assigned_conversation(team, dana)
    assert escalate(berlin(2026, 3, 2, 11, 59)) == 0
    assert not Notification.objects.exists()


def test_warning_then_breach_then_supervisor_each_once(people, team):
    dana, lead, boss = people
    conversation = assigned_conversation(team, dana)

    assert escalate(berlin(2026, 3, 2, 12)) == 1
    assert notified(dana) == ["breach_warning"] and notified(lead) == []
    assert escalate(berlin(2026, 3, 2, 12, 30)) == 0

    assert escalate(berlin(2026, 3, 2, 13)) == 1
    assert notified(lead) == ["breach"]
    first = clocks(conversation)["first_reply"]
    assert first.breached_at == berlin(2026, 3, 2, 13) and first.step == 2

    assert escalate(berlin(2026, 3, 2, 14)) == 1  # 60 minutes after the breach
    assert notified(boss) == ["breach_escalated"]
    assert escalate(berlin(2026, 3, 2, 18)) == 0
    kinds = list(
        Event.objects.filter(conversation=conversation, kind__startswith="service.").values_list(
            "kind", flat=True
        )
    )
    assert kinds == ["service.warning", "service.breached", "service.escalated"]
    warning = Notification.objects.get(recipient=dana)
    assert "first reply due Mon 13:00" in warning.text
    assert warning.url == f"/conversations/{conversation.pk}/"
    assert warning.key == f"sla:{conversation.pk}:first_reply:{first.pk}:warned"


def test_a_late_sweep_takes_every_step_it_missed_at_once(people, team):
    dana, lead, boss = people
    assigned_conversation(team, dana)
    assert escalate(berlin(2026, 3, 2, 16)) == 3
    assert (notified(dana), notified(lead), notified(boss)) == (
        ["breach_warning"],
        ["breach"],
        ["breach_escalated"],
    )


def test_a_replied_or_paused_clock_is_not_escalated(people, team):
    dana, *_ = people
    replied = assigned_conversation(team, dana)
    actions.send_reply(dana.user, replied, "Hello", at=berlin(2026, 3, 2, 11))
    paused = assigned_conversation(team, dana)
    actions.change_status(dana.user, paused, "pending", at=berlin(2026, 3, 2, 10))
    assert escalate(berlin(2026, 3, 2, 13, 30)) == 0


def test_a_conversation_closed_behind_the_hooks_back_has_its_clocks_stopped_quietly(people, team):
    dana, *_ = people
    conversation = assigned_conversation(team, dana)
    Conversation.objects.filter(pk=conversation.pk).update(status="closed")
    assert escalate(berlin(2026, 3, 2, 13, 30)) == 0
    assert clocks(conversation)["first_reply"].stopped_at == berlin(2026, 3, 2, 13, 30)
    assert escalate(berlin(2026, 3, 20)) == 0  # the resolution clock, when its time comes
    assert not ServiceClock.objects.filter(conversation=conversation, stopped_at=None).exists()
    assert not Notification.objects.exists()


def test_unassigned_warnings_go_to_the_lead_and_breaches_without_a_lead_to_supervisors(
    standard, team
):
    boss = make_agent("sam", role=Role.SUPERVISOR)
    lead = make_agent("lena", teams=[team])
    team.lead = lead
    team.save()
    make_conversation(at=START, team=team)
    escalate(berlin(2026, 3, 2, 12))
    assert notified(lead) == ["breach_warning"]
    team.lead = None
    team.save()
    escalate(berlin(2026, 3, 2, 13))
    assert notified(boss) == ["breach"]


def test_the_sweep_reads_only_the_clocks_crossing_a_step(people, team):
    dana, *_ = people
    for _ in range(3):
        assigned_conversation(team, dana)
    with CaptureQueriesContext(connection) as few:
        escalate(berlin(2026, 3, 2, 11))
    for _ in range(20):
        assigned_conversation(team, dana)
    with CaptureQueriesContext(connection) as many:
        escalate(berlin(2026, 3, 2, 11))
    assert len(many) == len(few) <= 4
    with CaptureQueriesContext(connection) as crossing:
        assert escalate(berlin(2026, 3, 2, 12)) == 23
    assert len(crossing) <= 8  # bulk writes, not a query per clock


def test_the_clock_runs_the_sweep(people, team):
    dana, *_ = people
    assigned_conversation(team, dana)
    assert sweep(berlin(2026, 3, 2, 12) + timedelta(seconds=1))["service_steps"] == 1
