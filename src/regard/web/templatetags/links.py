"""`{% link 'web:conversation' convo.pk %}`: `{% url %}`, with each address reversed once.

Every page names a dozen addresses (the navigation, the forms of a conversation), and each
`reverse()` walks the URL resolver again: about a twentieth of the inbox's time. An address
without arguments is kept as it is; one with ids is kept as a pattern with the ids' places
marked, and the ids are put in. Both change only with the URL configuration and the script
prefix, which are part of the key. Arguments that are not ids go through `reverse()` itself.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from regard.web.live import stream_origin

register = template.Library()
MARK = 987654321  # an id no address holds of itself; checked when a pattern is made


@register.simple_tag
def link(name: str, *args) -> str:
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    if not all(type(arg) is int and arg >= 0 for arg in args):
        return reverse(name, args=args, urlconf=urlconf)
    pattern = _pattern(name, len(args), get_script_prefix(), urlconf)
    if pattern is None:
        return reverse(name, args=args, urlconf=urlconf)
    return pattern.format(*args)


@lru_cache(maxsize=512)
def _pattern(name: str, count: int, prefix: str, urlconf) -> str | None:
    """The address of `name` with `{}` where each of `count` ids goes; None when the marks
    cannot be told apart from the rest of the address."""
    address = reverse(name, args=[MARK] * count, urlconf=urlconf)
    mark = str(MARK)
    if address.count(mark) != count or "{" in address or "}" in address:
        return None
    pattern = address.replace(mark, "{}")
    if pattern.format(*range(count)) != reverse(name, args=range(count), urlconf=urlconf):
        return None
    return pattern


@register.simple_tag(takes_context=True)
def agent_stream_link(context) -> str:
    """The agent's live stream: on the stream process when there is one (see regard.web.live)."""
    return (stream_origin(context["request"]) or "") + link("web:stream")
