"""`regard mail import` reads .eml, mbox and Maildir through the same pipeline."""

import mailbox

import pytest
from django.core.management import CommandError, call_command

from regard.conversations.models import Conversation, Message
from tests.channels.mail import make_mail

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def attachments_dir(settings, tmp_path):
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"


def run_import(*paths, capsys):
    call_command("mail", "import", *map(str, paths), verbosity=0)
    return capsys.readouterr().out.strip().splitlines()


def test_a_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file or folder"):
        call_command("mail", "import", str(tmp_path / "nope.eml"), verbosity=0)


def test_import_counts_imported_duplicates_and_flagged(tmp_path, capsys):
    (tmp_path / "one.eml").write_bytes(make_mail(message_id="one@example.com"))
    (tmp_path / "broken.eml").write_bytes(b"\x00\x01 not a mail at all")
    box = mailbox.mbox(tmp_path / "archive.mbox")
    box.add(make_mail(message_id="two@example.com", subject="Second"))
    box.add(make_mail(message_id="three@example.com", in_reply_to="two@example.com"))
    box.close()
    maildir = mailbox.Maildir(tmp_path / "Maildir")
    maildir.add(make_mail(message_id="four@example.com", subject="Fourth"))
    lines = run_import(
        tmp_path / "one.eml",
        tmp_path / "broken.eml",
        tmp_path / "archive.mbox",
        tmp_path / "Maildir",
        capsys=capsys,
    )
    assert lines[-1] == "imported 4, duplicates 0, flagged 1"
    assert any(line.startswith("flagged ") and "broken.eml" in line for line in lines)
    assert Message.objects.count() == 4
    assert Conversation.objects.count() == 3
    again = run_import(tmp_path / "one.eml", tmp_path / "archive.mbox", capsys=capsys)
    assert again[-1] == "imported 0, duplicates 3, flagged 0"
