"""The web form: name (optional), e-mail, message, a file, any questions an admin added, and the
two quiet spam checks (a honeypot field and a signed time stamp). Forms only validate."""

from __future__ import annotations

import mimetypes

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from regard.channels.email.attachments import ParsedAttachment, make_attachment
from regard.channels.models import FormField, FormFieldKind
from regard.channels.web.choices import MESSAGE_MAX_CHARS, NAME_MAX_CHARS
from regard.channels.web.tokens import StaleForm, check_stamp, form_stamp
from regard.customers.identities import InvalidIdentity, normalize_email

HONEYPOT = "website"
EXTRA_PREFIX = "field_"


class OneLine:
    """Refuses line breaks before stripping: beside mail headers, one could forge a header."""

    def to_python(self, value):
        if isinstance(value, str) and ("\r" in value or "\n" in value):
            raise forms.ValidationError(f"{self.what} cannot contain line breaks.")
        return super().to_python(value)


class NameField(OneLine, forms.CharField):
    what = "A name"


class AddressField(OneLine, forms.EmailField):
    what = "An e-mail address"


class ContactForm(forms.Form):
    name = NameField(label="Your name (optional)", required=False, max_length=NAME_MAX_CHARS)
    email = AddressField(
        label="Your e-mail address",
        max_length=254,
        help_text="We answer here; no account needed.",
        error_messages={"required": "Please give your e-mail address, so we can answer you."},
    )
    message = forms.CharField(
        label="Your message",
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Please write your message."},
    )
    attachment = forms.FileField(label="Attach a file (optional)", required=False)
    # Honeypot: hidden from people (and from screen readers); robots fill every field they see.
    website = forms.CharField(
        label="Leave this empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    stamp = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, questions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("stamp", form_stamp())
        self.questions = list(
            FormField.objects.filter(active=True) if questions is None else questions
        )
        extra = {f"{EXTRA_PREFIX}{q.pk}": question_field(q) for q in self.questions}
        order = ["name", "email", *extra, "message", "attachment", HONEYPOT, "stamp"]
        self.fields.update(extra)
        self.order_fields(order)
        limit = filesizeformat(settings.WEBFORM_MAX_ATTACHMENT_BYTES)
        self.fields["attachment"].help_text = f"One file, up to {limit}."
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["name"].widget.attrs["autocomplete"] = "name"

    @classmethod
    def keeping(cls, data) -> ContactForm:
        """A new form showing what was typed, without judging it (nothing was checked)."""
        skip = {"stamp", HONEYPOT, "csrfmiddlewaretoken"}
        return cls(initial={key: value for key, value in data.items() if key not in skip})

    def fresh_stamp(self) -> None:
        """Serve the form again with a new stamp (the refused one would be refused again)."""
        if self.is_bound:
            self.data = self.data.copy()
            self.data["stamp"] = form_stamp()

    def _raw(self, name: str) -> str:
        return str(self.data.get(name, ""))

    def clean_email(self) -> str:
        try:
            normalize_email(self.cleaned_data["email"])
        except InvalidIdentity:
            raise forms.ValidationError("Please check your e-mail address.") from None
        return self.cleaned_data["email"]

    def clean_message(self) -> str:
        text = self.cleaned_data["message"].replace("\r\n", "\n").replace("\r", "\n")
        if len(text) > MESSAGE_MAX_CHARS:
            raise forms.ValidationError(
                f"Your message is {len(text):,} characters long; the limit is "
                f"{MESSAGE_MAX_CHARS:,}. Please shorten it, or attach the rest as a file."
            )
        return text

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        limit = settings.WEBFORM_MAX_ATTACHMENT_BYTES
        if upload and upload.size > limit:
            raise forms.ValidationError(
                f"The file is {filesizeformat(upload.size)}; files can be at most "
                f"{filesizeformat(limit)}. Please attach a smaller one."
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        try:
            check_stamp(self._raw("stamp"))
        except StaleForm as exc:
            raise forms.ValidationError(str(exc), code="stale") from None
        return cleaned

    def answers(self) -> list[tuple[str, str]]:
        """The admin's questions with the customer's answers, in form order; empty ones left out."""
        found = []
        for question in self.questions:
            value = self.cleaned_data.get(f"{EXTRA_PREFIX}{question.pk}")
            if question.kind == FormFieldKind.CHECKBOX:
                found.append((question.label, "yes" if value else "no"))
            elif question.kind == FormFieldKind.LONG_TEXT and value:
                found.append((question.label, str(value)))
            elif value:
                found.append((question.label, " ".join(str(value).split())))
        return found

    def attachment_part(self) -> ParsedAttachment | None:
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        guessed = mimetypes.guess_type(upload.name or "")[0]
        content_type = (upload.content_type or guessed or "application/octet-stream").lower()
        return make_attachment(upload.read(), upload.name, content_type, None, False)


def question_field(question: FormField) -> forms.Field:
    common = {"label": question.label, "required": question.required}
    if question.kind == FormFieldKind.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, **common)
    if question.kind == FormFieldKind.CHOICE:
        options = [("", "Choose…"), *((option, option) for option in question.choices)]
        return forms.ChoiceField(choices=options, **common)
    if question.kind == FormFieldKind.CHECKBOX:
        return forms.BooleanField(**common)
    return forms.CharField(max_length=500, **common)
