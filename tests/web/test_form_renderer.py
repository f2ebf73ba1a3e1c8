"""The Python-written widgets give exactly what Django's widget templates give."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from regard.web.form_renderer import FormRenderer

HOSTILE = "<script>alert(\"x\")</script> & 'quotes'"


class Everything(forms.Form):
    text = forms.CharField(max_length=20, help_text="h", initial=HOSTILE)
    email = forms.EmailField(required=False)
    number = forms.IntegerField(min_value=0, initial=3)
    password = forms.CharField(widget=forms.PasswordInput(render_value=True))
    url = forms.URLField(required=False, assume_scheme="https")
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    hidden = forms.CharField(widget=forms.HiddenInput, initial="h&d")
    flag = forms.BooleanField(required=False, initial=True)
    off = forms.BooleanField(required=False)
    choice = forms.ChoiceField(
        choices=[("", "(none)"), ("a", HOSTILE), ("b&c", "B"), (3, mark_safe("<b>safe</b>"))],
        initial="b&c",
    )
    grouped = forms.ChoiceField(
        choices=[("Fruit", [("apple", "Apple"), ("pear", "Pear")]), ("other", "Other")],
        initial="pear",
    )
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], initial=["x", "y"])
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "data-x": HOSTILE}))
    empty_notes = forms.CharField(widget=forms.Textarea, required=False)
    radio = forms.ChoiceField(widget=forms.RadioSelect, choices=[("r", "R")])  # templates


@pytest.mark.parametrize("bound", [False, True])
def test_every_widget_renders_as_the_templates_render_it(bound):
    data = {"text": HOSTILE, "number": "7", "password": "p<w", "flag": "on", "choice": "a"}
    data.update({"notes": HOSTILE + "\nline", "many": ["y"], "grouped": "other", "date": "x"})
    make = (
        (lambda renderer: Everything(data, renderer=renderer))
        if bound
        else (lambda renderer: Everything(renderer=renderer))
    )
    ours, theirs = make(FormRenderer()), make(DjangoTemplates())
    for name in Everything.base_fields:
        assert str(ours[name]) == str(theirs[name]), name
    assert ours.as_div() == theirs.as_div()
    assert "<script>" not in str(ours["text"]) and "&lt;script&gt;" in str(ours["choice"])


def test_it_is_the_sites_renderer():
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FormRenderer)


def test_a_select_with_options_of_its_own_template_is_left_to_the_templates():
    class Marked(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    field = forms.ChoiceField(choices=[("a", "A")], widget=Marked)
    form = forms.Form(renderer=FormRenderer())
    form.fields["pick"] = field
    theirs = forms.Form(renderer=DjangoTemplates())
    theirs.fields["pick"] = field
    assert str(form["pick"]) == str(theirs["pick"])
    assert "<input" in str(form["pick"])  # the option's own template was used
