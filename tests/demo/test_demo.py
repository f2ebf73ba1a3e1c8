"""The demo loads a believable desk once, refuses a second time, and its printed logins work."""

from __future__ import annotations

import io
import re
from email import message_from_bytes, policy

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from regard.accounts.models import Agent, Team
from regard.conversations.choices import Direction, Status
from regard.conversations.models import Conversation, Message
from regard.customers.models import Customer
from regard.demo.generate import DemoExists, generate_demo

LOGIN_LINE = re.compile(r"^login: (\S+) password: (\S+) role: (\S+)$", re.MULTILINE)


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    """Run `regard demo --no-serve` once for the module; the data is flushed afterwards."""
    out = io.StringIO()
    with django_db_blocker.unblock():
        call_command("demo", "--no-serve", stdout=out)
    yield out.getvalue()
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_output")]


def test_printed_logins_authenticate_with_their_role(demo_output):
    logins = LOGIN_LINE.findall(demo_output)
    assert len(logins) >= 4
    assert "http://127.0.0.1:8000/" in demo_output
    for username, password, role in logins:
        user = authenticate(username=username, password=password)
        assert user is not None, username
        assert user.agent.role == role


def test_a_second_run_is_refused_and_the_command_says_so():
    with pytest.raises(DemoExists):
        generate_demo()
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    assert "The database already has data; demo data not loaded" in out.getvalue()
    assert Customer.objects.count() < 60


def test_agents_cover_the_roles_in_two_teams():
    assert Agent.objects.count() >= 4
    assert Team.objects.filter(agents__isnull=False).distinct().count() == 2
    assert {"admin", "supervisor", "agent"} <= set(Agent.objects.values_list("role", flat=True))


def test_customers_are_known_people():
    customers = Customer.objects.all()
    assert customers.count() >= 40
    assert customers.exclude(needs="").exclude(stereotypes_to_avoid="").count() >= 40
    assert customers.filter(notes__isnull=False).distinct().count() >= 40
    assert customers.filter(organization__isnull=False).values(
        "organization"
    ).distinct().count() < (customers.filter(organization__isnull=False).count())
    assert customers.filter(identities__kind="chat").filter(identities__kind="email").exists()
    assert customers.filter(moments__kind="birthday").exists()


@pytest.mark.parametrize("name", ["Zoë Ångström", "Nguyễn Thị Lan", "Łukasz Żółć", "佐藤 美咲"])
def test_unicode_names_round_trip(name):
    assert Customer.objects.get(display_name=name).display_name == name


def test_conversations_span_channels_statuses_and_three_months():
    conversations = Conversation.objects.all()
    assert conversations.count() >= 150
    assert {"email", "web", "chat"} <= set(conversations.values_list("channel", flat=True))
    assert set(Status.values) <= set(conversations.values_list("status", flat=True))
    oldest = conversations.order_by("created_at").first().created_at
    newest = conversations.order_by("created_at").last().created_at
    assert (newest - oldest).days >= 60


def test_histories_go_back_and_forth_in_order():
    conversations = Conversation.objects.prefetch_related("messages")
    answered_back = 0
    for conversation in conversations:
        messages = [m for m in conversation.messages.all() if m.direction != Direction.NOTE]
        times = [m.created_at for m in messages]
        assert times == sorted(times)
        assert times[0] >= conversation.created_at
        directions = [m.direction for m in messages]
        assert directions[0] == Direction.INBOUND
        if conversation.status != Status.NEW:
            assert Direction.OUTBOUND in directions or conversation.tags.filter(name="upset")
        answered_back += directions[:3] == ["inbound", "outbound", "inbound"]
    assert answered_back >= 50
    assert Message.objects.filter(direction=Direction.NOTE).count() >= 20


def test_several_customers_are_upset_and_escalated():
    upset = Customer.objects.filter(conversations__tags__name="upset").distinct()
    assert upset.count() >= 3
    assert Conversation.objects.filter(tags__name="churn-risk", priority=4).exists()


def test_email_sources_are_real_mail_that_parses_to_the_same_subject():
    with_raw = Message.objects.filter(channel="email", raw__isnull=False).select_related("raw")
    assert with_raw.count() >= 30
    for message in with_raw:
        parsed = message_from_bytes(bytes(message.raw.data), policy=policy.default)
        assert parsed["subject"] == message.subject
        assert parsed["message-id"] == message.external_id == message.raw.external_id
    quoted = with_raw.filter(text_full__contains="wrote:\n> ")
    assert quoted.exists()
    assert all("wrote:" not in m.text_new for m in quoted)
