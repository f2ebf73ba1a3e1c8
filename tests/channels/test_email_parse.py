"""The e-mail parser: hostile and broken input first, then what it reads out of real-world mail."""

from __future__ import annotations

import hashlib
import random
import time
from datetime import UTC, datetime
from email.message import EmailMessage

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regard.channels.email import kinds
from regard.channels.email.attachments import safe_filename
from regard.channels.email.parse import ParsedMail, parse_message
from regard.channels.email.parse_body import MAX_DEPTH, MAX_PARTS

SIMPLE = (
    b"From: =?utf-8?q?Zo=C3=AB_=C3=85ngstr=C3=B6m?= <Zoe@Example.COM>\r\n"
    b"To: Support <support@example.com>, bob@example.com\r\n"
    b'Cc: "Doe, Jane" <jane@example.com>\r\n'
    b"Reply-To: Zoe at home <zoe@home.example>\r\n"
    b"Subject: =?iso-8859-1?q?Gr=FC=DFe?= from Zo\xc3\xab\r\n"
    b"Date: Mon, 2 Mar 2026 10:15:00 +0100\r\n"
    b"Message-ID: < abc.123@mail.example.com >\r\n"
    b"In-Reply-To: <first@example.com>\r\n"
    b"References: <root@example.com>\r\n <first@example.com>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Hello, where is my parcel?\r\n"
)


def mime(*parts: bytes, subtype: str = "mixed", headers: bytes = b"", boundary: str = "b") -> bytes:
    """A multipart body with `parts` (each its own headers, a blank line and a body)."""
    head = f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n'.encode()
    body = b"".join(b"--" + boundary.encode() + b"\r\n" + part + b"\r\n" for part in parts)
    return headers + head + b"\r\n" + body + b"--" + boundary.encode() + b"--\r\n"


def message(*, headers: dict[str, str] | None = None, body: str = "Hello") -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "Anna <anna@example.com>"
    mail["To"] = "support@example.com"
    mail["Subject"] = "Question"
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(body)
    return mail


# Bad input: whatever arrives, parsing returns a ParsedMail and records what went wrong.


def test_empty_bytes_give_an_empty_mail_with_a_defect():
    mail = parse_message(b"")

    assert isinstance(mail, ParsedMail)
    assert (mail.subject, mail.text, mail.from_address, mail.attachments) == ("", "", "", [])
    assert "no From address" in mail.defects


def test_random_bytes_never_raise():
    rng = random.Random(20260302)
    for size in (1, 7, 100, 5_000, 100_000):
        assert isinstance(parse_message(rng.randbytes(size)), ParsedMail)


def test_non_bytes_input_is_a_defect_not_an_exception():
    assert parse_message(None).defects  # type: ignore[arg-type]


def test_a_one_megabyte_header_line_is_truncated_quickly():
    raw = b"From: a@example.com\r\nSubject: " + b"A" * 1_000_000 + b"\r\n\r\nbody\r\n"

    started = time.perf_counter()
    mail = parse_message(raw)

    assert time.perf_counter() - started < 5
    assert mail.text == "body"
    assert len(mail.subject) <= 16_000
    assert any("truncated" in defect for defect in mail.defects)


def test_huge_address_and_reference_headers_are_bounded():
    to = b", ".join(b'"Name %d" <u%d@example.com>' % (i, i) for i in range(40_000))
    raw = (
        b"From: "
        + b"(((" * 300_000
        + b"\r\nTo: "
        + to
        + b"\r\nCc: "
        + b"x@y.z (" * 100_000
        + b"\r\nReferences: "
        + b" ".join(b"<r%d@example.com>" % i for i in range(50_000))
        + b"\r\n\r\nbody"
    )

    started = time.perf_counter()
    mail = parse_message(raw)

    assert time.perf_counter() - started < 5
    assert 0 < len(mail.to) < 1_000 and len(mail.references) == 200
    assert mail.references[0] == "r0@example.com" and mail.references[-1] == "r49999@example.com"
    assert "to header truncated to 16000 characters" in mail.defects


def test_ten_thousand_mime_parts_are_capped():
    parts = [b"Content-Type: application/octet-stream\r\n\r\nx"] * 10_000
    raw = b"From: a@example.com\r\n" + mime(*parts)

    started = time.perf_counter()
    mail = parse_message(raw)

    assert time.perf_counter() - started < 10
    assert len(mail.attachments) < MAX_PARTS
    assert any("capped" in defect for defect in mail.defects)


def test_fifty_deep_nesting_is_capped():
    raw = b"Content-Type: text/plain\r\n\r\ndeep inside"
    for level in range(50):
        raw = mime(raw, boundary=f"level{level}")
    mail = parse_message(b"From: a@example.com\r\n" + raw)

    assert MAX_DEPTH < 50
    assert any("capped" in defect for defect in mail.defects)
    assert "deep inside" not in mail.text


def test_deeply_nested_html_keeps_its_text_in_good_time():
    html = b"<div>" * 100_000 + b"deep text" + b"</div>" * 100_000
    raw = b"From: a@example.com\r\nContent-Type: text/html\r\n\r\n" + html

    started = time.perf_counter()
    mail = parse_message(raw)

    assert time.perf_counter() - started < 5
    assert mail.text == "deep text" and "<div>" not in mail.html
    assert "HTML nested deeper than 1000; only its text was kept" in mail.defects


def test_a_huge_html_only_body_is_read_in_bounded_time():
    raw = b"From: a@example.com\r\nContent-Type: text/html\r\n\r\n" + b"<p>hello</p>" * 250_000

    started = time.perf_counter()
    mail = parse_message(raw)

    assert time.perf_counter() - started < 10
    assert mail.text.startswith("hello\n\nhello") and len(mail.html) > 2_000_000 - 100
    assert "HTML body capped at 2000000 characters" in mail.defects
    assert "text taken from the first 500000 characters of HTML" in mail.defects


def test_missing_headers_still_give_the_body():
    mail = parse_message(b"\r\njust a body\r\n")

    assert mail.text == "just a body"
    assert mail.message_id is None and mail.date is None and mail.subject == ""
    assert "no From address" in mail.defects


def test_broken_base64_is_decoded_as_far_as_possible():
    part = (
        b'Content-Type: application/pdf; name="a.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        b"JVBERi0x*LjQK!JeLjz9MK\r\nMSAw"
    )
    mail = parse_message(
        b"From: a@example.com\r\n" + mime(b"Content-Type: text/plain\r\n\r\nhi", part)
    )

    assert mail.attachments[0].data.startswith(b"%PDF-1.4")
    assert mail.defects


def test_an_undeclared_8bit_body_falls_back_to_cp1252():
    mail = parse_message(b"From: a@example.com\r\nSubject: x\r\n\r\nGr\xfc\xdfe aus K\xf6ln\r\n")

    assert mail.text == "Grüße aus Köln"
    assert any("cp1252" in defect for defect in mail.defects)


def test_a_broken_header_block_is_repaired():
    raw = (
        b"From: Anna <anna@example.com>\r\nX-Tracker: AAAA\r\nBBBBBBB\r\n"
        b"Subject: after the break\r\n\r\nbody\r\n"
    )
    mail = parse_message(raw)

    assert (mail.from_address, mail.subject, mail.text) == (
        "anna@example.com",
        "after the break",
        "body",
    )
    assert "RepairedHeaderBlockDefect" in mail.defects


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4_000))
def test_any_bytes_in_no_exception_out(raw):
    assert isinstance(parse_message(raw), ParsedMail)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(SIMPLE)), st.binary(max_size=64), st.integers(0, 200))
def test_a_real_mail_with_random_damage_never_raises(position, junk, cut):
    damaged = SIMPLE[:position] + junk + SIMPLE[position + cut :]

    assert isinstance(parse_message(mime(damaged, damaged[::-1]) + damaged), ParsedMail)


# Behaviour: what the pipeline reads out of ordinary mail.


def test_headers_are_decoded_and_normalised():
    mail = parse_message(SIMPLE)

    assert mail.from_address == "zoe@example.com" and mail.from_name == "Zoë Ångström"
    assert mail.subject == "Grüße from Zoë"
    assert mail.to == [("Support", "support@example.com"), ("", "bob@example.com")]
    assert mail.cc == [("Doe, Jane", "jane@example.com")]
    assert mail.reply_to == [("Zoe at home", "zoe@home.example")]
    assert mail.message_id == "abc.123@mail.example.com"
    assert mail.in_reply_to == ["first@example.com"]
    assert mail.references == ["root@example.com", "first@example.com"]
    assert mail.date == datetime(2026, 3, 2, 9, 15, tzinfo=UTC)
    assert mail.text == mail.text_new == "Hello, where is my parcel?"
    assert mail.kind == kinds.NORMAL and mail.defects == []


def test_a_date_without_zone_is_read_as_utc():
    mail = parse_message(b"From: a@example.com\r\nDate: Mon, 2 Mar 2026 10:15:00 -0000\r\n\r\nx")

    assert mail.date == datetime(2026, 3, 2, 10, 15, tzinfo=UTC)


def test_sender_falls_back_to_reply_to_when_from_has_no_address():
    mail = parse_message(b'From: "Shop" <>\r\nReply-To: <orders@shop.example>\r\n\r\nx')

    assert mail.from_address == "orders@shop.example"
    assert any("Reply-To" in defect for defect in mail.defects)


def test_html_only_mail_gets_readable_text_and_sanitised_html():
    html = (
        "<html><head><style>p{color:red}</style></head><body>"
        "<p>Dear team,</p><p>my <b>order</b> is <a href='https://t.example/42'>here</a>.</p>"
        "<script>alert(1)</script><ul><li>mug</li><li>plate</li></ul></body></html>"
    )
    mail = message(body="")
    mail.set_content(html, subtype="html")
    parsed = parse_message(bytes(mail))

    assert parsed.text == (
        "Dear team,\n\nmy order is here (https://t.example/42).\n\n- mug\n- plate"
    )
    assert "<script" not in parsed.html and "<b>order</b>" in parsed.html


def test_alternative_mail_takes_text_from_the_plain_part_and_html_from_the_html_part():
    mail = message(body="Plain words")
    mail.add_alternative("<p>Rich <i>words</i></p>", subtype="html")
    parsed = parse_message(bytes(mail))

    assert parsed.text == "Plain words"
    assert parsed.html == "<p>Rich <i>words</i></p>"


def test_a_cid_image_is_flagged_inline_and_kept_in_the_html():
    mail = message(body="see logo")
    mail.add_alternative('<p>Logo: <img src="cid:logo@x"></p>', subtype="html")
    mail.get_payload()[1].add_related(b"\x89PNG...", "image", "png", cid="<logo@x>")
    parsed = parse_message(bytes(mail))

    (image,) = parsed.attachments
    assert image.inline and image.content_id == "logo@x" and image.content_type == "image/png"
    assert image.filename == "image.png" and image.size == 7
    assert 'src="cid:logo@x"' in parsed.html


def test_executables_scripts_and_macro_documents_are_blocked():
    mail = message()
    for name, ctype in [
        ("invoice.pdf.exe", "application/octet-stream"),
        ("run.js", "application/javascript"),
        ("budget.xlsm", "application/vnd.ms-excel.sheet.macroEnabled.12"),
        ("invoice.pdf", "application/pdf"),
    ]:
        maintype, subtype = ctype.split("/")
        mail.add_attachment(b"MZ", maintype=maintype, subtype=subtype, filename=name)
    parsed = parse_message(bytes(mail))

    blocked = {a.filename: a.blocked for a in parsed.attachments}
    assert blocked == {
        "invoice.pdf.exe": True,
        "run.js": True,
        "budget.xlsm": True,
        "invoice.pdf": False,
    }
    assert parsed.attachments[0].sha256 == hashlib.sha256(b"MZ").hexdigest()


def test_attachment_names_lose_paths_and_control_characters_and_are_never_empty():
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\Users\\me\\evil.exe") == "evil.exe"
    assert safe_filename("bad\x00\x1b\u202ename.txt") == "badname.txt"
    assert safe_filename("", "application/pdf") == "attachment.pdf"
    assert safe_filename("..", "image/png") == "attachment.png"


def test_a_delivery_status_report_is_a_bounce_with_the_original_message_id():
    status = (
        b"Content-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.example.com\r\n\r\n"
        b"Final-Recipient: rfc822; Gone@Customer.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"
    )
    original = b"Content-Type: message/rfc822\r\n\r\n" + bytes(
        message(headers={"Message-ID": "<reply-7@regard.example>"})
    )
    raw = mime(
        b"Content-Type: text/plain\r\n\r\nDelivery failed.",
        status,
        original,
        subtype='report; report-type="delivery-status"',
        headers=b"From: MAILER-DAEMON@mx.example.com\r\nSubject: Undelivered Mail\r\n",
    )
    mail = parse_message(raw)

    assert mail.kind == kinds.BOUNCE
    assert mail.bounced_message_id == "reply-7@regard.example"
    assert mail.bounced_recipients == ["gone@customer.example"]


def test_a_delay_notice_is_automatic_but_not_a_bounce():
    status = (
        b"Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\r\n"
        b"Final-Recipient: rfc822; slow@customer.example\r\nAction: delayed\r\nStatus: 4.4.1\r\n"
    )
    raw = mime(
        b"Content-Type: text/plain\r\n\r\nStill trying.",
        status,
        subtype="report; report-type=delivery-status",
        headers=b"From: MAILER-DAEMON@mx.example.com\r\nSubject: Delivery Status Notification\r\n",
    )
    mail = parse_message(raw)

    assert mail.kind == kinds.AUTO_REPLY
    assert mail.bounced_message_id is None and mail.bounced_recipients == []


def test_a_bounce_without_status_names_the_original_recipients():
    original = b"Content-Type: text/rfc822-headers\r\n\r\n" + (
        b"Message-ID: <reply-8@regard.example>\r\nTo: Gone <gone@customer.example>\r\n"
    )
    raw = mime(
        b"Content-Type: text/plain\r\n\r\nSorry.",
        original,
        headers=b"From: postmaster@mx.example.com\r\nSubject: Returned mail: see transcript\r\n",
    )
    mail = parse_message(raw)

    assert mail.kind == kinds.BOUNCE
    assert mail.bounced_message_id == "reply-8@regard.example"
    assert mail.bounced_recipients == ["gone@customer.example"]


def test_a_qmail_failure_notice_is_a_bounce_found_from_its_text():
    raw = (
        b"From: MAILER-DAEMON@mail.example.net\r\nSubject: failure notice\r\n\r\n"
        b"Hi. This is the qmail-send program.\r\n\r\n<gone@customer.example>:\r\n"
        b"Sorry, no mailbox here by that name.\r\n\r\n--- Below this line is a copy.\r\n\r\n"
        b"Message-ID: <reply-9@regard.example>\r\nSubject: Your order\r\n"
    )
    mail = parse_message(raw)

    assert mail.kind == kinds.BOUNCE
    assert mail.bounced_message_id == "reply-9@regard.example"
    assert mail.bounced_recipients == ["gone@customer.example"]


def test_feedback_reports_are_recognised():
    raw = mime(
        b"Content-Type: text/plain\r\n\r\nThis is an abuse report.",
        b"Content-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\n",
        subtype="report; report-type=feedback-report",
        headers=b"From: abuse@isp.example\r\nSubject: Abuse report\r\n",
    )

    assert parse_message(raw).kind == kinds.FEEDBACK_REPORT


def test_automatic_replies_are_recognised_by_header_or_subject():
    cases = [
        {"Auto-Submitted": "auto-replied"},
        {"X-Autoreply": "yes"},
        {"X-Autorespond": "Out of office"},
        {"X-Auto-Response-Suppress": "All"},
        {"Precedence": "auto_reply"},
        {"Subject": "Out of Office: back Monday"},
        {"Subject": "Automatic reply: Question"},
        {"Subject": "Abwesenheitsnotiz: Frage"},
    ]
    for headers in cases:
        mail = message()
        for name, value in headers.items():
            del mail[name]
            mail[name] = value
        assert parse_message(bytes(mail)).kind == kinds.AUTO_REPLY, headers


def test_bulk_mail_is_recognised_and_auto_submitted_no_is_normal():
    for headers in [
        {"Precedence": "bulk"},
        {"List-Id": "<news.example.com>"},
        {"List-Unsubscribe": "<mailto:off@example.com>"},
        {"Precedence": "junk"},
    ]:
        assert parse_message(bytes(message(headers=headers))).kind == kinds.BULK, headers

    assert parse_message(bytes(message(headers={"Auto-Submitted": "no"}))).kind == kinds.NORMAL


def test_quoted_history_is_separated_from_the_new_text():
    body = (
        "Thanks, that works!\n\n"
        "On Mon, 2 Mar 2026 at 10:00, Support <support@example.com> wrote:\n"
        "> Please restart the router.\n> Regards\n"
    )
    mail = parse_message(bytes(message(body=body)))

    assert mail.text_new == "Thanks, that works!"
    assert "Please restart the router." in mail.text


def test_quoted_history_in_html_only_mail_is_separated_too():
    mail = message(body="")
    mail.set_content(
        "<div>Thanks, that works!</div><div class='gmail_quote'>On Mon, 2 Mar 2026, Support "
        "&lt;support@example.com&gt; wrote:<blockquote>Please restart the router.</blockquote>"
        "</div>",
        subtype="html",
    )
    parsed = parse_message(bytes(mail))

    assert parsed.text_new == "Thanks, that works!"
    assert "> Please restart the router." in parsed.text


def test_a_forwarded_message_is_kept_as_eml_and_its_text_included():
    inner = message(headers={"Message-ID": "<inner@example.com>"}, body="The original complaint.")
    del inner["Subject"]
    inner["Subject"] = "Broken mug"
    outer = message(body="FYI, see below.")
    outer.add_attachment(inner)
    mail = parse_message(bytes(outer))

    (eml,) = mail.attachments
    assert eml.filename == "Broken mug.eml" and eml.content_type == "message/rfc822"
    assert b"The original complaint." in eml.data
    assert mail.text.startswith("FYI, see below.")
    assert "Subject: Broken mug" in mail.text and "The original complaint." in mail.text
    assert mail.text_new == "FYI, see below."


def test_calendar_invites_and_winmail_dat_are_kept_as_attachments():
    mail = message(body="invite")
    mail.add_attachment("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", subtype="calendar")
    mail.add_attachment(b"\x78\x9f\x3e\x22", "application", "ms-tnef", filename="winmail.dat")
    parsed = parse_message(bytes(mail))

    assert [(a.filename, a.content_type) for a in parsed.attachments] == [
        ("document.ics", "text/calendar"),
        ("winmail.dat", "application/ms-tnef"),
    ]
    assert parsed.text == "invite"


def test_an_inline_uuencoded_file_becomes_an_attachment():
    raw = (
        b"From: a@example.com\r\n\r\nSee the file.\r\n\r\n"
        b"begin 644 hello.txt\r\n%:&5L;&\\`\r\n`\r\nend\r\n"
    )
    mail = parse_message(raw)

    assert mail.text == "See the file."
    assert [(a.filename, a.data) for a in mail.attachments] == [("hello.txt", b"hello")]


def test_mislabelled_and_unknown_charsets_are_decoded():
    cases = [
        ("gb2312", "中文，测试：镕".encode("gb18030"), "中文，测试：镕"),
        ("utf8", "Grüße".encode(), "Grüße"),
        ("x-unknown", "Grüße".encode(), "Grüße"),
        ("utf-7", b"Gr+APwA3w-e", "Grüße"),
        ("iso-2022-jp", "日本語です".encode("iso2022_jp"), "日本語です"),
        ("iso-2022-jp", "日本語です".encode("cp932"), "日本語です"),
        ("us-ascii", "naïve café".encode("cp1252"), "naïve café"),
    ]
    for charset, body, text in cases:
        raw = f"From: a@example.com\r\nContent-Type: text/plain; charset={charset}\r\n\r\n"
        assert parse_message(raw.encode() + body).text == text, charset


def test_encoded_words_in_unusual_charsets_are_decoded():
    raw = (
        b"From: =?gb2312?B?1tDOxA==?= <a@example.com>\r\n"
        b"Subject: =?x-unknown?Q?Gr=C3=BC=C3=9Fe?= =?iso-2022-jp?B?GyRCRnxLXDhsGyhC?=\r\n\r\nx"
    )
    mail = parse_message(raw)

    assert mail.from_name == "中文"
    assert mail.subject == "Grüße日本語"


def test_when_the_mime_parser_fails_the_headers_are_still_read(monkeypatch):
    import regard.channels.email.parse as parse_module

    def explode(*args, **kwargs):
        raise RecursionError("too deep")

    monkeypatch.setattr(parse_module, "message_from_bytes", explode)
    mail = parse_message(SIMPLE)

    assert mail.subject == "Grüße from Zoë" and mail.from_address == "zoe@example.com"
    assert mail.defects[:2] == [
        "message could not be parsed: RecursionError('too deep')",
        "only headers were read",
    ]


def test_garbage_charset_labels_do_not_stop_the_parse():
    for label in (b"utf\x00-8", b"iso-88\xae9-1", b'"', b"x" * 500):
        raw = b"From: a@example.com\r\nContent-Type: text/plain; charset=" + label
        mail = parse_message(raw + b"\r\n\r\nGr\xc3\xbc\xc3\x9fe")

        assert mail.text.startswith("Grüße"), label
        assert not any("could not be parsed" in defect for defect in mail.defects), label
