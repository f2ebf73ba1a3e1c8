"""Routing settings travel in the export, and exports made before them still import."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from regard.accounts.choices import Availability, RoutingMode
from regard.accounts.models import Agent, Team
from regard.system.portability import PortabilityError
from regard.system.portability_import import import_dir
from tests.system.test_portability import write_export

CREATED = "2026-01-05T09:00:00+00:00"
OLD_TEAM = {"id": 1, "name": "Orders", "lead": None, "created_at": CREATED}
OLD_AGENT = {
    "id": 1,
    "user_id": 1,
    "username": "dana",
    "display_name": "Dana",
    "email": "",
    "role": "agent",
    "teams": ["Orders"],
    "time_zone": "",
    "languages": "de",
    "capacity": 5,
    "availability": "away",
    "is_active": True,
    "is_staff": False,
    "is_superuser": False,
    "date_joined": CREATED,
    "last_login": None,
    "created_at": CREATED,
}


def lines(*records) -> str:
    return "".join(json.dumps(record) + "\n" for record in records)


@pytest.mark.django_db
def test_an_export_from_before_routing_imports_with_the_defaults(tmp_path):
    folder = write_export(tmp_path / "in", teams=lines(OLD_TEAM), agents=lines(OLD_AGENT))
    import_dir(folder)
    team, agent = Team.objects.get(), Agent.objects.get()
    assert (team.routing_mode, team.offer_back_after, team.receives_new) == ("manual", None, False)
    assert (agent.skills, agent.availability_changed_at, agent.last_routed_at) == ("", None, None)


@pytest.mark.django_db
def test_an_unknown_routing_mode_is_refused_by_name(tmp_path):
    team = {**OLD_TEAM, "routing_mode": "fancy"}
    folder = write_export(tmp_path / "in", teams=lines(team))
    with pytest.raises(PortabilityError, match="routing_mode"):
        import_dir(folder)
    assert not Team.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_routing_settings_survive_a_round_trip(tmp_path):
    from tests.factories import make_agent, make_team

    team = make_team("Orders")
    Team.objects.filter(pk=team.pk).update(
        routing_mode=RoutingMode.SKILLS, offer_back_after=30, receives_new=True
    )
    changed = datetime(2026, 11, 23, 9, 15, tzinfo=UTC)
    dana = make_agent("dana", teams=[team])
    Agent.objects.filter(pk=dana.pk).update(
        skills="billing, refunds",
        availability=Availability.AWAY,
        availability_changed_at=changed,
        last_routed_at=changed,
    )
    call_command("export", str(tmp_path / "out"), verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    import_dir(tmp_path / "out")
    team, dana = Team.objects.get(), Agent.objects.get()
    assert (team.routing_mode, team.offer_back_after, team.receives_new) == ("skills", 30, True)
    assert (dana.skills, dana.availability) == ("billing, refunds", "away")
    assert dana.availability_changed_at == dana.last_routed_at == changed
