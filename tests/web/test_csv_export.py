"""Customers as CSV: only for those who may export, audited, and safe to open in a spreadsheet."""

import csv
import io

import pytest
from django.urls import reverse

from regard.accounts.choices import Role
from regard.conversations.models import Event
from regard.system.csv_export import safe_cell
from tests.factories import PASSWORD, make_agent, make_customer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 555", "'+1 555"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Zoë = friend", "Zoë = friend"),
        (None, ""),
        (42, "42"),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_neutralised(value, expected):
    assert safe_cell(value) == expected


def test_an_admin_downloads_the_directory_and_the_export_is_audited(client):
    admin = make_agent("boss", role=Role.ADMIN)
    make_customer("evil@example.com", '=cmd|" /C calc"!A0', preferred_name="@me")
    make_customer("zoe@example.com", "Zoë Ångström")
    client.login(username="boss", password=PASSWORD)
    response = client.get(reverse("web:customers_csv"))
    assert response["Content-Disposition"] == 'attachment; filename="customers.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["id", "name", "preferred name"]
    by_mail = {row[7]: row for row in rows[1:]}
    assert by_mail["evil@example.com"][1] == '\'=cmd|" /C calc"!A0'
    assert by_mail["evil@example.com"][2] == "'@me"
    assert by_mail["zoe@example.com"][1] == "Zoë Ångström"
    event = Event.objects.get(kind="data.exported")
    assert event.actor == admin.user and event.data["what"] == "customers"


def test_agents_may_not_export(client, agent):
    client.login(username=agent.user.username, password=PASSWORD)
    assert client.get(reverse("web:customers_csv")).status_code == 403
    assert "Download these customers" not in client.get(reverse("web:customers")).content.decode()
    assert not Event.objects.filter(kind="data.exported").exists()
