"""`{% link %}` gives what `{% url %}` gives, under any script prefix."""

import pytest
from django.template import Context, Template
from django.urls import clear_script_prefix, set_script_prefix

NAMES = ("web:inbox", "web:search", "web:customers", "web:notifications", "logout", "admin:index")


def render(source: str) -> str:
    return Template("{% load links %}" + source).render(Context())


@pytest.mark.parametrize("name", NAMES)
def test_link_is_the_url_tag(name):
    assert render(f"{{% link '{name}' %}}") == render(f"{{% url '{name}' %}}")
    assert render(f"{{% link '{name}' %}}").startswith("/")


def test_a_script_prefix_is_part_of_the_address():
    plain = render("{% link 'web:search' %}")
    set_script_prefix("/support/")
    try:
        assert render("{% link 'web:search' %}") == "/support" + plain
        assert render("{% link 'web:search' %}") == render("{% url 'web:search' %}")
    finally:
        clear_script_prefix()
    assert render("{% link 'web:search' %}") == plain


def test_an_unknown_name_fails_like_the_url_tag():
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        render("{% link 'web:nothing_here' %}")


def test_ids_are_put_into_the_address_as_the_url_tag_puts_them():
    for ids in ([7], [123456789], [0]):
        source = "{% link 'web:conversation' " + " ".join(map(str, ids)) + " %}"
        assert render(source) == render(source.replace("link", "url"))
    two = "{% link 'web:keep_promise' 12 345 %}"
    assert (
        render(two) == render(two.replace("link", "url")) == "/conversations/12/promises/345/keep"
    )


def test_arguments_that_are_not_plain_ids_go_through_reverse():
    from django.urls import NoReverseMatch

    for bad in ("-3", "'seven'"):
        with pytest.raises(NoReverseMatch):
            render(f"{{% link 'web:conversation' {bad} %}}")
    assert render("{% link 'web:conversation' '42' %}") == "/conversations/42/"
