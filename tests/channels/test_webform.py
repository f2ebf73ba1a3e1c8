"""The web form: bad input refused clearly (and nothing stored), spam refused without a puzzle,
and a good message on the customer's record with a confirmation that survives a reload."""

from __future__ import annotations

import logging
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from regard.channels.models import FormField
from regard.channels.web.tokens import form_stamp
from regard.conversations.choices import Direction
from regard.conversations.models import Attachment, Conversation, Message
from regard.conversations.storage import blob_path
from regard.customers.models import Customer
from tests.channels.webform import form_data, unique_address, visitor
from tests.factories import make_customer

pytestmark = pytest.mark.django_db
URL = "/contact/"


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.COMPANY_NAME = "Acme"


def nothing_stored():
    return not Conversation.objects.exists() and not Customer.objects.exists()


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"email": None}, "Please give your e-mail address"),
        ({"email": "zoe@"}, "valid email address"),
        ({"email": "zoe at example.com"}, "valid email address"),
        ({"message": "   \n  "}, "Please write your message."),
        ({"name": "Zoë\r\nBcc: victim@example.com"}, "A name cannot contain line breaks."),
        ({"email": "zoe@example.com\r\nBcc: victim@example.com"}, "cannot contain line breaks"),
        ({"email": "zoe@example.com\nBcc:x@example.com"}, "cannot contain line breaks"),
    ],
    ids=[
        "no e-mail",
        "half an address",
        "not an address",
        "empty message",
        "CRLF in name",
        "CRLF in e-mail",
        "LF in e-mail",
    ],
)
def test_bad_input_is_refused_with_a_clear_error_and_nothing_is_stored(fields, error):
    response = visitor().post(URL, form_data(**fields))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert nothing_stored()


def test_a_refused_form_keeps_what_the_visitor_typed():
    response = visitor().post(URL, form_data(email="zoe@", message="Please keep this text"))
    assert "Please keep this text" in response.content.decode()


def test_a_message_over_the_size_limit_is_refused_naming_the_limit():
    response = visitor().post(URL, form_data(message="x" * 20_001))
    body = response.content.decode()
    assert "20,001 characters long; the limit is 20,000" in body
    assert nothing_stored()
    accepted = visitor().post(URL, form_data(message="x" * 20_000))
    assert accepted.status_code == 302


def test_an_attachment_over_the_limit_is_refused_naming_the_limit(settings):
    settings.WEBFORM_MAX_ATTACHMENT_BYTES = 1024
    upload = SimpleUploadedFile("photo.jpg", b"\xff" * 2048, content_type="image/jpeg")
    response = visitor().post(URL, {**form_data(), "attachment": upload})
    body = response.content.decode()
    assert response.status_code == 200
    assert "The file is 2.0\xa0KB; files can be at most 1.0\xa0KB" in body
    assert nothing_stored()


def test_a_request_far_over_the_limit_is_refused_before_it_is_read(settings):
    settings.WEBFORM_MAX_ATTACHMENT_BYTES = 10
    upload = SimpleUploadedFile("big.bin", b"\0" * 400_000)
    response = visitor().post(URL, {**form_data(), "attachment": upload})
    assert response.status_code == 413
    assert "Files can be at most 10\xa0bytes" in response.content.decode()
    assert nothing_stored()


def test_a_blocked_file_type_is_kept_but_flagged_never_dropped(settings):
    upload = SimpleUploadedFile(
        "invoice.exe", b"MZ\x90\x00", content_type="application/x-msdownload"
    )
    response = visitor().post(URL, {**form_data(), "attachment": upload})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.filename == "invoice.exe" and attachment.blocked is True
    assert blob_path(attachment.sha256).read_bytes() == b"MZ\x90\x00"


def test_a_dangerous_file_name_is_made_safe():
    upload = SimpleUploadedFile("../../etc/passwd\x07.txt", b"hello", content_type="text/plain")
    visitor().post(URL, {**form_data(), "attachment": upload})
    attachment = Attachment.objects.get()
    assert "/" not in attachment.filename and "\x07" not in attachment.filename
    assert attachment.blocked is False


# --- spam without puzzles ---------------------------------------------------------------------


def test_a_filled_honeypot_looks_accepted_but_nothing_is_kept(caplog):
    caplog.set_level(logging.INFO, logger="regard.contact")
    client = visitor()
    response = client.post(
        URL, form_data(website="http://spam.example", message="BUY CHEAP PILLS"), follow=True
    )
    body = response.content.decode()
    assert response.status_code == 200 and "Thank you, Zoë." in body
    assert nothing_stored() and not Message.objects.exists()
    logged = [r.getMessage() for r in caplog.records if r.name == "regard.contact"]
    assert logged == ["web form: honeypot filled, nothing stored"]
    assert "PILLS" not in caplog.text and "spam.example" not in caplog.text


def test_the_honeypot_is_hidden_from_people_and_assistive_technology():
    body = visitor().get(URL).content.decode()
    assert '<div class="contact-website" aria-hidden="true">' in body
    honeypot = (
        body.split('name="website"')[0].rsplit("<input", 1)[1]
        + body.split('name="website"')[1].split(">")[0]
    )
    assert 'tabindex="-1"' in honeypot and 'autocomplete="off"' in honeypot


def test_a_form_sent_within_two_seconds_is_asked_again_with_the_text_kept():
    response = visitor().post(URL, form_data(stamp=form_stamp(), message="Hello from a bot?"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "That was very quick" in body and "Hello from a bot?" in body
    assert nothing_stored()


@pytest.mark.parametrize(
    "stamp",
    [
        form_stamp(time.time() - 10)[:-3] + "abc",
        form_stamp(time.time() - 10).replace(":", ";", 1),
        "",
        "not a stamp",
    ],
    ids=["bad signature", "mangled", "missing", "garbage"],
)
def test_a_tampered_or_missing_stamp_is_refused_with_a_friendly_message(stamp):
    response = visitor().post(URL, form_data(stamp=stamp))
    assert "This form could not be checked" in response.content.decode()
    assert nothing_stored()


def test_a_stamp_older_than_a_day_is_refused():
    response = visitor().post(URL, form_data(stamp=form_stamp(time.time() - 2 * 86400)))
    assert "open for more than a day" in response.content.decode()
    assert nothing_stored()


def test_a_refused_form_comes_back_with_a_new_stamp_that_then_works():
    client = visitor()
    refused = client.post(URL, form_data(stamp=form_stamp()))
    new_stamp = refused.context["form"].data["stamp"]
    assert new_stamp != refused.wsgi_request.POST["stamp"]


def test_more_than_ten_posts_from_one_address_in_ten_minutes_get_429():
    client = visitor()
    for _ in range(10):
        assert client.post(URL, form_data(email="")).status_code == 200
    response = client.post(URL, form_data(message="Still here, please keep me"))
    body = response.content.decode()
    assert response.status_code == 429
    assert "wait ten minutes" in body and "Still here, please keep me" in body
    assert "That was very quick" not in body and 'class="error"' not in body
    assert nothing_stored()
    assert visitor().post(URL, form_data()).status_code == 302, "another IP is not affected"


def test_more_than_five_messages_from_one_e_mail_address_in_an_hour_get_429():
    address = unique_address()
    for _ in range(5):
        assert visitor().post(URL, form_data(email=address)).status_code == 302
    response = visitor().post(URL, form_data(email=address.upper()))
    assert response.status_code == 429
    assert "reply to the receipt" in response.content.decode()
    assert Conversation.objects.count() == 5


# --- the happy path ---------------------------------------------------------------------------


def test_a_new_visitor_becomes_a_customer_with_a_web_conversation():
    address = unique_address()
    upload = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 receipt", content_type="application/pdf")
    client = visitor()
    response = client.post(URL, {**form_data(email=address), "attachment": upload})
    assert response.status_code == 302 and response["Location"].startswith("/contact/thanks/?t=")

    conversation = Conversation.objects.get()
    assert conversation.channel == "web"
    assert conversation.subject == "My grinder arrived broken."
    assert conversation.customer.display_name == "Zoë Ångström"
    message = conversation.messages.get(direction=Direction.INBOUND)
    assert message.channel == "web" and message.html == ""
    assert message.text_full == "My grinder arrived broken.\nThe lid is cracked."
    assert message.sender.kind == "email" and message.sender.value == address
    attachment = message.attachments.get()
    assert attachment.filename == "receipt.pdf" and attachment.blocked is False
    assert blob_path(attachment.sha256).read_bytes() == b"%PDF-1.4 receipt"
    event = conversation.events.get(kind="webform.submitted")
    assert event.data == {
        "message_id": message.pk,
        "answers": [],
        "attachment": "receipt.pdf",
        "summary": "attached receipt.pdf",
    }

    page = client.get(response["Location"]).content.decode()
    assert "Thank you, Zoë." in page
    assert f"conversation #{conversation.pk}" in page
    assert address in page


def test_reloading_the_confirmation_does_not_send_the_message_twice():
    client = visitor()
    location = client.post(URL, form_data())["Location"]
    for _ in range(3):
        assert client.get(location).status_code == 200
    assert (
        Conversation.objects.count() == 1
        and Message.objects.filter(direction=Direction.INBOUND).count() == 1
    )


def test_a_forged_or_missing_confirmation_token_leads_back_to_the_form():
    client = visitor()
    location = client.post(URL, form_data())["Location"]
    assert client.get(location[:-2] + "xx")["Location"] == URL
    assert client.get("/contact/thanks/")["Location"] == URL


def test_a_known_customer_is_found_by_address_not_created_again():
    address = unique_address()
    known = make_customer(address, "Zoë Ångström", preferred_name="Zo")
    response = visitor().post(
        URL, form_data(email=address.upper(), name="Someone Else"), follow=True
    )
    conversation = Conversation.objects.get()
    assert conversation.customer == known and Customer.objects.count() == 1
    assert "Thank you, Zo." in response.content.decode()


def test_a_message_is_plain_text_escaped_wherever_it_is_shown(admin_agent, client):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    visitor().post(URL, form_data(message=f"Hello {hostile}", name="<b>Bold</b> Name"))
    message = Message.objects.get(direction=Direction.INBOUND)
    assert message.text_full == f"Hello {hostile}" and message.html == ""
    client.force_login(admin_agent.user)
    response = client.get(f"/conversations/{message.conversation_id}/")
    page = response.content.decode()
    assert response.status_code == 200 and "Sent through the web form" in page
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "<b>Bold</b>" not in page


def test_the_hosted_form_needs_its_csrf_token():
    client = visitor(enforce_csrf_checks=True)
    assert client.post(URL, form_data()).status_code == 403
    assert nothing_stored()


# --- the embeddable form ----------------------------------------------------------------------


def test_the_embedded_form_may_be_framed_by_the_allowed_origins_only(settings):
    settings.EMBED_ORIGINS = ["https://shop.example", "https://www.shop.example"]
    response = visitor().get("/contact/embed/")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://shop.example https://www.shop.example" in csp
    assert "frame-ancestors 'none'" not in csp and "script-src 'self'" in csp
    body = response.content.decode()
    assert 'class="public embedded"' in body and "public-header" not in body


def test_any_origin_when_embed_origins_is_a_star(settings):
    settings.EMBED_ORIGINS = ["*"]
    response = visitor().get("/contact/embed/")
    assert "frame-ancestors *;" in response["Content-Security-Policy"] + ";"


def test_the_rest_of_the_site_still_refuses_to_be_framed():
    for path in ("/contact/", "/login/"):
        response = visitor().get(path)
        assert response["X-Frame-Options"] == "DENY", path
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], path


def test_the_embedded_form_works_without_cookies_and_confirms_inside_the_frame():
    client = visitor(enforce_csrf_checks=True)  # framed on another site: no cookies at all
    response = client.post("/contact/embed/", form_data())
    assert response.status_code == 302
    assert response["Location"].startswith("/contact/embed/thanks/?t=")
    page = client.get(response["Location"])
    assert "X-Frame-Options" not in page.headers
    assert "frame-ancestors" in page["Content-Security-Policy"]
    assert "Thank you, Zoë." in page.content.decode()
    assert Conversation.objects.get().channel == "web"


# --- questions an admin adds ------------------------------------------------------------------


@pytest.fixture
def questions(db):
    return [
        FormField.objects.create(label="Order number", required=True, position=1),
        FormField.objects.create(
            label="Topic", kind="choice", options="Delivery\nRefund\n", position=2
        ),
        FormField.objects.create(label="Gift", kind="checkbox", position=3),
        FormField.objects.create(label="Old question", active=False, position=4),
    ]


def test_only_active_questions_are_asked_in_their_order(questions):
    body = visitor().get(URL).content.decode()
    assert body.index("Order number (required)") < body.index("Topic") < body.index("Gift")
    assert "Old question" not in body


def test_a_required_question_left_empty_is_refused(questions):
    response = visitor().post(URL, form_data())
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert nothing_stored()


def test_a_choice_outside_the_options_is_refused(questions):
    order, topic, _gift, _old = questions
    response = visitor().post(
        URL, form_data(**{f"field_{order.pk}": "1234", f"field_{topic.pk}": "Free money"})
    )
    assert "Select a valid choice" in response.content.decode()
    assert nothing_stored()


def test_answers_reach_the_agent_in_the_message_and_the_timeline(questions):
    order, topic, gift, _old = questions
    fields = {f"field_{order.pk}": "1234", f"field_{topic.pk}": "Refund", f"field_{gift.pk}": "on"}
    assert visitor().post(URL, form_data(**fields)).status_code == 302
    message = Message.objects.get(direction=Direction.INBOUND)
    assert message.text_full.endswith("\n\nOrder number: 1234\nTopic: Refund\nGift: yes")
    event = message.conversation.events.get(kind="webform.submitted")
    assert event.data["answers"] == [
        {"label": "Order number", "value": "1234"},
        {"label": "Topic", "value": "Refund"},
        {"label": "Gift", "value": "yes"},
    ]
    assert event.data["summary"] == "Order number: 1234; Topic: Refund; Gift: yes"


def test_a_choice_question_needs_two_options():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="at least two options"):
        FormField(label="Topic", kind="choice", options="Only one").full_clean()


def test_an_admin_adds_a_question_in_the_admin_and_visitors_see_it(admin_agent, client):
    client.force_login(admin_agent.user)
    add = "/admin/channels/formfield/add/"
    fields = {"label": "Topic", "kind": "choice", "options": "Only one", "position": 1}
    refused = client.post(add, {**fields, "active": "on"})
    assert refused.status_code == 200 and "at least two options" in refused.content.decode()
    saved = client.post(add, {**fields, "options": "Delivery\r\nRefund", "active": "on"})
    assert saved.status_code == 302
    body = visitor().get(URL).content.decode()
    assert '<option value="Refund">Refund</option>' in body
