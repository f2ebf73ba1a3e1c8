"""`{% link 'web:inbox' %}`: `{% url %}` for an address without arguments, reversed once.

Every page's navigation names a dozen such addresses, and each `reverse()` walks the URL
resolver again: about a twentieth of the inbox's time. They change only with the URL
configuration and the script prefix, which are part of the key.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()


@register.simple_tag
def link(name: str) -> str:
    return _reversed(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@lru_cache(maxsize=256)
def _reversed(name: str, prefix: str, urlconf) -> str:
    return reverse(name, urlconf=urlconf)
