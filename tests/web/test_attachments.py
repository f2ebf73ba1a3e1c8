"""Attachments are served only to those who may see the conversation, and never as a page."""

import pytest
from django.urls import reverse

from regard.channels.email.inbound import accept_email
from regard.conversations.models import Attachment, Conversation
from tests.channels.mail import make_mail
from tests.factories import PASSWORD, make_agent, make_team

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def files(settings, tmp_path, team):
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    accept_email(
        make_mail(
            attachments=[
                ("page.html", "text/html", b"<script>alert(1)</script>"),
                ("photo.png", "image/png", PNG),
                ("run.exe", "application/octet-stream", b"MZ"),
                ("../../etc/passwd", "text/plain", b"root:x:0:0"),
            ]
        ),
        process="now",
        live=False,
    )
    Conversation.objects.update(team=team)
    return {a.filename: a for a in Attachment.objects.all()}


def url(item):
    return reverse("web:attachment", args=[item.message.conversation_id, item.pk])


@pytest.fixture
def signed_in(client, agent):
    client.login(username=agent.user.username, password=PASSWORD)
    return client


def test_html_is_downloaded_never_rendered(signed_in, files):
    response = signed_in.get(url(files["page.html"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"


def test_a_raster_image_may_show_inline(signed_in, files):
    response = signed_in.get(url(files["photo.png"]))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")


def test_a_blocked_type_is_not_served(signed_in, files):
    assert signed_in.get(url(files["run.exe"])).status_code == 403


def test_path_traversal_names_are_neutralised(files):
    names = set(files)
    assert not any("/" in name or "\\" in name or name.startswith("..") for name in names)


def test_another_team_cannot_fetch_it_even_by_guessing(client, files):
    make_agent("outsider", teams=[make_team("Elsewhere")])
    client.login(username="outsider", password=PASSWORD)
    assert client.get(url(files["photo.png"])).status_code == 404


def test_an_attachment_id_through_the_wrong_conversation_is_404(signed_in, files, agent, team):
    accept_email(make_mail(subject="Other"), process="now", live=False)
    other = Conversation.objects.get(subject="Other")
    other.team = team
    other.save()
    wrong = reverse("web:attachment", args=[other.pk, files["photo.png"].pk])
    assert signed_in.get(wrong).status_code == 404


def test_anonymous_visitors_must_log_in(client, files):
    response = client.get(url(files["photo.png"]))
    assert response.status_code == 302
