"""`regard export` and `regard import`: bad input is refused with a clear line, and a round trip
through an empty database gives back exactly the same export."""

from __future__ import annotations

import base64
import datetime as dt
import filecmp
import hashlib
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from regard.conversations.storage import blob_path
from regard.system.portability import FILES, PortabilityError
from regard.system.portability_export import export_dir
from regard.system.portability_import import import_dir

RAW_BYTES = b"From: z\xf6e@example.com\r\nSubject: =?x?=\r\n\r\n\xff\xfe\x00\x80 caf\xe9\r\n"
ATTACHMENT = "Reçu 🧾 — Zoë\n".encode() + bytes(range(256))
ORG = {
    "id": 1,
    "name": "Acme",
    "domain": "",
    "notes": "",
    "created_at": "2026-01-05T09:00:00+00:00",
}


def write_export(folder, manifest=None, **files):
    folder.mkdir()
    manifest = manifest or {"format_version": 1, "counts": {}}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    for name, text in files.items():
        (folder / f"{name}.jsonl").write_text(text, encoding="utf-8")
    return folder


def read_lines(folder, name):
    with (folder / name).open(encoding="utf-8") as source:
        return [json.loads(line) for line in source]


# bad input


@pytest.mark.django_db
def test_import_refuses_a_database_that_is_not_empty_and_names_what_is_there(tmp_path):
    from tests.factories import make_customer

    make_customer("zoe@example.com", "Zoë Ångström")
    export_dir(tmp_path / "out")
    with pytest.raises(PortabilityError, match=r"not empty \(1 customer, 1 identity, 1 event\)"):
        import_dir(tmp_path / "out")


@pytest.mark.django_db
def test_import_without_a_manifest_is_refused(tmp_path):
    with pytest.raises(PortabilityError, match="has no manifest.json"):
        import_dir(tmp_path)


@pytest.mark.django_db
def test_import_of_another_format_version_is_refused(tmp_path):
    folder = write_export(tmp_path / "in", {"format_version": 2, "counts": {}})
    with pytest.raises(PortabilityError, match="format version 2; .* reads format version 1"):
        import_dir(folder)


@pytest.mark.django_db
def test_a_malformed_json_line_is_named_by_file_and_line(tmp_path):
    folder = write_export(tmp_path / "in", organizations=json.dumps(ORG) + '\n{"id": 2, "na\n')
    with pytest.raises(PortabilityError, match=r"organizations.jsonl line 2: not valid JSON"):
        import_dir(folder)


@pytest.mark.django_db
def test_a_record_missing_a_field_is_named_by_file_line_and_field(tmp_path):
    record = {key: value for key, value in ORG.items() if key != "domain"}
    folder = write_export(tmp_path / "in", organizations=json.dumps(record) + "\n")
    with pytest.raises(
        PortabilityError, match="organizations.jsonl line 1: missing field 'domain'"
    ):
        import_dir(folder)


@pytest.mark.django_db
def test_a_wrongly_typed_field_is_named(tmp_path):
    folder = write_export(tmp_path / "in", organizations=json.dumps({**ORG, "id": "one"}) + "\n")
    with pytest.raises(PortabilityError, match="line 1: field 'id' must be an integer"):
        import_dir(folder)


@pytest.mark.django_db
def test_a_truncated_file_does_not_match_the_manifest(tmp_path):
    manifest = {"format_version": 1, "counts": {"organizations.jsonl": 2}}
    folder = write_export(tmp_path / "in", manifest, organizations=json.dumps(ORG) + "\n")
    with pytest.raises(PortabilityError, match="holds 1 records, the manifest says 2"):
        import_dir(folder)
    from regard.customers.models import Organization

    assert not Organization.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_record_pointing_at_nothing_is_refused_and_nothing_is_kept(tmp_path):
    from regard.customers.models import Organization

    customer = {
        "id": 1,
        "name": "Zoë",
        "preferred_name": "",
        "pronunciation": "",
        "identities": [],
        "organization_id": 42,
        "owner": None,
        "vip": False,
        "language": "",
        "time_zone": "",
        "preferred_channel": "",
        "needs": "",
        "wants": "",
        "emotions": "",
        "stereotypes_to_avoid": "",
        "merged_into_id": None,
        "created_at": ORG["created_at"],
        "updated_at": ORG["created_at"],
    }
    folder = write_export(
        tmp_path / "in", organizations=json.dumps(ORG) + "\n", customers=json.dumps(customer)
    )
    with pytest.raises(PortabilityError, match="the export does not hold together"):
        import_dir(folder)
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_an_unknown_username_is_named(tmp_path):
    team = {"id": 1, "name": "Orders", "lead": "nobody", "created_at": ORG["created_at"]}
    folder = write_export(tmp_path / "in", teams=json.dumps(team))
    with pytest.raises(PortabilityError, match="no agent named 'nobody' in agents.jsonl"):
        import_dir(folder)


@pytest.mark.django_db
def test_a_damaged_attachment_file_is_refused(tmp_path, settings):
    settings.ATTACHMENTS_DIR = tmp_path / "store"
    folder = write_export(tmp_path / "in")
    (folder / "attachments").mkdir()
    (folder / "attachments" / hashlib.sha256(b"original").hexdigest()).write_bytes(b"changed")
    with pytest.raises(PortabilityError, match="is damaged"):
        import_dir(folder)


@pytest.mark.django_db
def test_export_into_a_folder_that_is_not_empty_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(PortabilityError, match="is not empty"):
        export_dir(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


@pytest.mark.django_db
def test_the_commands_report_errors_without_a_traceback(tmp_path):
    with pytest.raises(CommandError, match="has no manifest.json"):
        call_command("import_data", str(tmp_path))
    (tmp_path / "x").write_text("")
    with pytest.raises(CommandError, match="is not empty"):
        call_command("export", str(tmp_path))


# the round trip


def build_people():
    """Agents, a team, a login without a profile, a mailbox, and two customers merged."""
    from django.contrib.auth.models import User

    from regard.channels.models import FormField, Mailbox
    from regard.customers import actions as cust
    from regard.customers.models import Organization
    from tests.factories import make_agent, make_customer, make_team

    team = make_team("Commandes ✉")
    dana = make_agent("dana", teams=[team], display_name="Dana Reyes", email="dana@example.com")
    zoe_agent = make_agent("zoe", teams=[team], display_name="Zoë Ångström 🌟")
    team.lead = dana
    team.save()
    root = User.objects.create_superuser("root", "root@example.com", "x")
    Mailbox.objects.create(
        name="Support",
        address="support@example.com",
        host="imap.example.com",
        username="support",
        password="imap-secret-🔑",
    )
    FormField.objects.create(label="Numéro de commande 📦", kind="choice", options="A\nB")
    org = Organization.objects.create(
        name="Société Générale 🏦", domain="example.fr", concierge=zoe_agent
    )
    zoe = make_customer("zoe@example.com", "Zoë Ångström")
    cust.update_customer_profile(
        dana.user,
        zoe,
        preferred_name="Zoë",
        organization=org,
        owner=dana,
        vip=True,
        language="fr",
        time_zone="Europe/Paris",
        needs="Clarté ✓",
        pronunciation="zo-EH",
    )
    cust.add_identity(dana.user, zoe, "phone", "+33 6 12 34 56 78")
    cust.add_customer_note(root, zoe, "Prefers mornings ☀️\u2028second line", pinned=True)
    cust.add_moment(dana.user, zoe, "birthday", dt.date(1990, 2, 28), label="🎂")
    twin = make_customer("zoe.work@example.com", "李小龍 🐉")
    cust.merge_customers(dana.user, twin, zoe)
    friend = make_customer("ami@example.fr", "Ami")
    zoe.__class__.objects.filter(pk=zoe.pk).update(referred_by=friend, no_surveys=True)
    friend.__class__.objects.filter(pk=friend.pk).update(concierge=dana, no_marketing=True)
    return team, dana, zoe_agent, zoe


def receive_with_raw_and_file(conversation, zoe):
    """An inbound e-mail with its raw bytes (not UTF-8), a thread reference and an attachment."""
    from regard.channels.models import RawMessage, ThreadReference
    from regard.conversations import actions as conv
    from regard.conversations.models import Attachment

    raw = RawMessage.objects.create(
        channel="email",
        source="inbox",
        external_id="<r1@example.com>",
        size=len(RAW_BYTES),
        sha256=hashlib.sha256(RAW_BYTES).hexdigest(),
        data=RAW_BYTES,
        received_at=dt.datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=dt.UTC),
    )
    message = conv.receive_message(
        conversation,
        text_full="> quoted\nNew text",
        text_new="New text",
        raw=raw,
        html="<p>New text</p>",
        sender=zoe.identities.first(),
        external_id="<r1@example.com>",
    )
    ThreadReference.objects.create(message=message, ref="<parent@example.com>")
    sha256 = hashlib.sha256(ATTACHMENT).hexdigest()
    blob_path(sha256).parent.mkdir(parents=True)
    blob_path(sha256).write_bytes(ATTACHMENT)
    Attachment.objects.create(
        message=message,
        filename="reçu 🧾.pdf",
        content_type="application/pdf",
        size=len(ATTACHMENT),
        sha256=sha256,
        inline=True,
        content_id="<c1>",
    )
    message.__class__.objects.filter(pk=message.pk).update(
        emotion="frustrated",
        emotion_intensity=0.75,
        complaint=True,
        signals=[{"kind": "late", "at": 3}],
        evidence=[{"text": "où", "start": 0, "end": 2}],
    )
    return sha256


def build_service_levels(team, dana, zoe_agent, zoe):
    """A calendar with a holiday and two policies, so conversations get service clocks."""
    from regard.conversations.models import Tag
    from regard.service.models import BusinessCalendar, Policy

    paris = BusinessCalendar.objects.create(
        name="Paris ☕", team=team, time_zone="Europe/Paris", saturday="10:00-12:30"
    )
    paris.holidays.create(date=dt.date(2026, 7, 14), name="Fête nationale 🇫🇷")
    Policy.objects.create(
        name="Urgent billing",
        position=1,
        min_priority=4,
        channel="email",
        team=team,
        organization=zoe.organization,
        vip_only=True,
        upset_only=True,
        tag=Tag.objects.create(name="urgent 🔥"),
        first_reply_minutes=15,
        supervisor=zoe_agent,
    )
    Policy.objects.create(
        name="Standard", first_reply_minutes=240, resolution_minutes=2400, calendar=paris
    )
    return team, dana, zoe_agent, zoe


def build_dataset():
    """A little of everything, made through the actions as in production where they exist."""
    from regard.accounts.notifications import notify
    from regard.channels.models import RawMessage
    from regard.commitments.models import Commitment
    from regard.conversations import actions as conv
    from regard.conversations.models import SavedReply
    from regard.conversations.tasks import deliver_message
    from regard.system.retry import record_failure
    from tests.factories import make_conversation
    from tests.incidents.dataset import add_incident_records
    from tests.loyalty.dataset import add_loyalty_records

    team, dana, zoe_agent, zoe = build_service_levels(*build_people())
    first = make_conversation(zoe, subject="Où est ma commande ? 📦", text="Bonjour…")
    conv.assign_conversation(dana.user, first, assignee=dana, team=team)
    conv.set_tags(dana.user, first, ["livraison", "urgent 🔥"])
    first.participants.add(zoe.identities.get(kind="phone"))
    sha256 = receive_with_raw_and_file(first, zoe)
    RawMessage.objects.create(
        channel="email",
        kind="bounce",
        conversation=first,
        sha256="0" * 64,
        data=b"",
        size=0,
        received_at=dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC),
    )
    reply = conv.send_reply(zoe_agent.user, first, "C'est parti 🚚", html="<b>C'est parti</b>")
    deliver_message.call(reply.pk)
    Commitment.objects.create(
        conversation=first,
        message=reply,
        agent=zoe_agent,
        text="Je vous rappelle demain 📞",
        start=0,
        end=25,
        due_at=dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC),
        created_at=dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC),
        maybe_kept_by=reply,
    )
    conv.add_note(dana.user, first, "Internal: carrier late")
    conv.change_status(dana.user, first, "solved")
    conv.change_status(dana.user, first, "closed")
    conv.receive_message(first, text_full="Encore moi", sender=zoe.identities.first())
    first.__class__.objects.filter(pk=first.pk).update(emotion="angry", upset=True)
    record_failure("regard.conversations.tasks.deliver_message", [1], {"x": "ü"}, 5, "boom")
    url = f"/conversations/{first.pk}/"
    notify(dana, "breach_warning", "Zoë waits ⏳", key="breach:1", url=url)
    SavedReply.objects.create(title="Bonjour", text="Bonjour {name} 👋", team=team, created_by=dana)
    SavedReply.objects.create(title="Everyone", text="Hi {name}")
    add_incident_records(dana, first)
    add_loyalty_records(dana, first)
    return sha256


def spot_check_contract(folder, sha256):
    messages = read_lines(folder, "messages.jsonl")
    assert {m["direction"] for m in messages} == {"inbound", "outbound", "note"}
    outbound = next(m for m in messages if m["direction"] == "outbound")
    assert outbound["sender"] == "zoe" and outbound["delivery"] == "sent"
    for key in ("id", "conversation_id", "channel", "subject", "text_new", "text_full", "html"):
        assert key in outbound
    assert dt.datetime.fromisoformat(outbound["created_at"]).utcoffset() is not None
    with_file = next(m for m in messages if m["attachments"])
    assert with_file["sender"] == "zoe@example.com" and with_file["html"] == "<p>New text</p>"
    attachment = with_file["attachments"][0]
    assert {"filename", "size", "sha256", "content_type", "inline"} <= attachment.keys()
    assert attachment["filename"] == "reçu 🧾.pdf" and attachment["sha256"] == sha256
    assert (folder / "attachments" / sha256).read_bytes() == ATTACHMENT

    conversations = read_lines(folder, "conversations.jsonl")
    assert conversations[0]["assignee"] == "dana" and conversations[0]["status"] == "closed"
    assert conversations[0]["tags"] == ["livraison", "urgent 🔥"]
    assert conversations[1]["linked_from_id"] == conversations[0]["id"]
    customers = {c["name"]: c for c in read_lines(folder, "customers.jsonl")}
    zoe = customers["Zoë Ångström"]
    assert zoe["preferred_name"] == "Zoë" and zoe["owner"] == "dana" and zoe["vip"] is True
    assert {"kind": "phone", "value": "+33612345678"} in zoe["identities"]
    assert customers["李小龍 🐉"]["merged_into_id"] == zoe["id"]
    raw, bounce = read_lines(folder, "raw_messages.jsonl")
    assert base64.b64decode(raw["data"]) == RAW_BYTES
    assert bounce["conversation_id"] == conversations[0]["id"] and bounce["kind"] == "bounce"
    assert with_file["thread_references"] == ["<parent@example.com>"]
    assert len(conversations[0]["participants"]) == 1

    agents = read_lines(folder, "agents.jsonl")
    assert {a["username"] for a in agents} == {"dana", "zoe"}
    for name in FILES:
        text = (folder / name).read_text()
        assert "pbkdf2" not in text and "imap-secret" not in text and '"password"' not in text
    events = read_lines(folder, "events.jsonl")
    assert {"kind", "actor", "conversation_id", "customer_id", "data", "created_at"} <= events[
        0
    ].keys()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["format_version"] == 1 and manifest["counts"]["messages.jsonl"] == 5


def documented_fields():
    """The field names in each table of docs/export.md, by the file its section is about."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "export.md").read_text()
    fields = {}
    for section in docs.split("\n### `")[1:]:
        name = section.split("`", 1)[0]
        fields[name] = set(re.findall(r"^\| `(\w+)` \|", section, flags=re.MULTILINE))
    return fields


def assert_documented(folder):
    documented = documented_fields()
    assert set(documented) == {*FILES, "manifest.json"}
    manifest = json.loads((folder / "manifest.json").read_text())
    assert documented["manifest.json"] == manifest.keys()
    for name in FILES:
        keys = set(read_lines(folder, name)[0])
        if name == "messages.jsonl":
            keys |= set(
                next(m for m in read_lines(folder, name) if m["attachments"])["attachments"][0]
            )
        assert documented[name] == keys, f"docs/export.md and {name} disagree"


def assert_same_export(first, second):
    for name in FILES:
        assert filecmp.cmp(first / name, second / name, shallow=False), f"{name} differs"
    files = sorted(p.name for p in (first / "attachments").iterdir())
    assert files == sorted(p.name for p in (second / "attachments").iterdir())
    assert (
        filecmp.cmpfiles(first / "attachments", second / "attachments", files, shallow=False)[0]
        == files
    )
    manifests = [json.loads((f / "manifest.json").read_text()) for f in (first, second)]
    for manifest in manifests:
        del manifest["exported_at"]
    assert manifests[0] == manifests[1]


def database_rows():
    """Every row of every Regard table, and the logins without their password hashes."""
    from django.apps import apps
    from django.contrib.auth.models import User

    rows = {}
    for model in apps.get_models(include_auto_created=True):
        if model is not User and not model._meta.app_config.name.startswith("regard."):
            continue
        values = list(model.objects.order_by("pk").values())
        for row in values:
            row.pop("password", None)  # login and mailbox passwords are never exported
            if model._meta.auto_created or model._meta.label == "channels.ThreadReference":
                # Link rows (many-to-many, thread references) are not numbered in the export.
                del row["id"]
        rows[model._meta.label] = sorted(values, key=repr)
    return rows


def test_every_regard_model_is_exported():
    from django.apps import apps

    from regard.system.portability import NOT_EXPORTED
    from regard.system.portability_import import MODELS

    regard_models = {m for m in apps.get_models() if m.__module__.startswith("regard.")}
    assert regard_models - set(MODELS) <= {apps.get_model(name) for name in NOT_EXPORTED}, (
        "add the new model to export and import"
    )


@pytest.mark.django_db(transaction=True)
def test_round_trip_through_an_empty_database_is_lossless(tmp_path, settings):
    from django.contrib.auth.models import User

    from regard.channels.models import Mailbox
    from regard.customers.models import Customer
    from tests.factories import make_customer

    settings.ATTACHMENTS_DIR = tmp_path / "store"
    sha256 = build_dataset()
    call_command("export", str(tmp_path / "first"), verbosity=0)
    spot_check_contract(tmp_path / "first", sha256)
    assert_documented(tmp_path / "first")
    before = database_rows()

    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.ATTACHMENTS_DIR)
    output = io.StringIO()
    call_command("import_data", str(tmp_path / "first"), stdout=output)
    call_command("export", str(tmp_path / "second"))

    assert database_rows() == before

    assert_same_export(tmp_path / "first", tmp_path / "second")
    assert blob_path(sha256).read_bytes() == ATTACHMENT
    assert not User.objects.get(username="dana").has_usable_password()
    assert Mailbox.objects.get().password == ""
    total = sum(json.loads((tmp_path / "first" / "manifest.json").read_text())["counts"].values())
    imported = f"Imported {total} records (1 teams, 1 users, 2 agents, 1 organizations,"
    assert imported in output.getvalue()
    assert "(dana, root, zoe): each must set one with `regard changepassword" in output.getvalue()
    newest = max(Customer.objects.values_list("pk", flat=True))
    assert make_customer("new@example.com").pk > newest
