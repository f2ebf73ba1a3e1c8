"""The web form's questions in `regard export` / `regard import` (the shared modules in
`regard.system` list them beside every other kind): configuration an admin made, so it moves."""

from __future__ import annotations

from regard.channels.models import FormField

FILES = ("form_fields.jsonl",)
MODELS = (FormField,)
FIELDS = ("id", "label", "kind", "options", "required", "position", "active")


def kinds(Kind) -> dict:  # noqa: N803 - the shared Kind class is passed in
    def form_field(row, names, related):
        return {field: row[field] for field in FIELDS}

    return {"form_fields.jsonl": Kind(FormField.objects.values(), form_field)}


def _form_field(r, refs):
    yield FormField(
        id=r.int("id"),
        label=r.text("label"),
        kind=r.text("kind"),
        options=r.text("options"),
        required=r.flag("required"),
        position=r.int("position"),
        active=r.flag("active"),
    )


LOADERS = {"form_fields.jsonl": _form_field}
