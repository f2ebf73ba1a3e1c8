"""Django's form renderer, with the commonest widgets written in Python.

Each `<option>` and each attribute list of a form goes through the template engine as an
include of its own: the customer profile's selects of agents and organizations cost a quarter of
the page. `FormRenderer` writes the same markup as Django's own widget templates (checked in
tests against them, widget by widget) for inputs, selects and text areas; every other template
(the admin's widgets, radio lists, multi-widgets) is rendered by the templates as before.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, escape

WIDGETS = "django/forms/widgets/"
# The widget templates that are `{% include "django/forms/widgets/input.html" %}` and a newline.
INPUTS = frozenset(
    f"{WIDGETS}{name}.html"
    for name in (
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    )
)


class FormRenderer(DjangoTemplates):
    """What `DjangoTemplates` gives (its output stripped, as its `render` strips it)."""

    def render(self, template_name, context, request=None):
        if template_name in INPUTS:
            return _input(context["widget"])
        if template_name == f"{WIDGETS}select.html" and _plain_options(context["widget"]):
            return _select(context["widget"])
        if template_name == f"{WIDGETS}textarea.html":
            return _textarea(context["widget"])
        return super().render(template_name, context, request)


def _attrs(attrs: dict) -> str:
    """attrs.html: ` name="value"`, ` name` for True, nothing for False."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{escape(widget["value"])}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{value}{_attrs(widget["attrs"])}>'
    )


def _plain_options(widget: dict) -> bool:
    """Whether every option uses Django's own option template (a widget may name another)."""
    return all(
        option["template_name"] == f"{WIDGETS}select_option.html"
        for _name, options, _index in widget["optgroups"]
        for option in options
    )


def _select(widget: dict) -> str:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            parts.append(f"\n  {_option(option)}\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _option(option: dict) -> str:
    return (
        f'<option value="{escape(option["value"])}"{_attrs(option["attrs"])}>'
        f"{conditional_escape(option['label'])}</option>"
    )


def _textarea(widget: dict) -> str:
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{value}</textarea>"
    )
