"""Highlighted snippets built in Python, so both databases show the same, always-escaped HTML."""

from __future__ import annotations

import re
from html import escape

from django.utils.safestring import SafeString, mark_safe

from regard.search.query import Query, fold, fold_with_offsets

WIDTH = 200
# Beyond this the text is cut before matching: a page of snippets must stay cheap.
SCAN = 20_000


def match_pattern(query: Query) -> re.Pattern | None:
    """A regex over folded text finding each term where the index would: on word boundaries."""
    alternatives = []
    for term in sorted(query.terms, key=lambda t: -len(t.words)):
        words = [re.escape(fold(word)) for word in term.words]
        tail = r"[^\W_]*" if term.prefix else r"(?![^\W_])"
        alternatives.append(r"(?<![^\W_])" + r"[\W_]+".join(words) + tail)
    return re.compile("|".join(alternatives)) if alternatives else None


def snippet(text: str, pattern: re.Pattern | None, width: int = WIDTH) -> SafeString:
    """About `width` characters around the first match, escaped, with matches in <mark>."""
    text = text[:SCAN]
    folded, origin = fold_with_offsets(text)
    spans = _spans(folded, origin, pattern)
    start = max(0, spans[0][0] - width // 4) if spans else 0
    start = _word_start(text, start)
    end = min(len(text), start + width)
    parts = ["…" if start else ""]
    position = start
    for begin, finish in spans:
        if begin < position or finish > end:
            continue
        parts += [escape(text[position:begin]), "<mark>", escape(text[begin:finish]), "</mark>"]
        position = finish
    parts += [escape(text[position:end]), "…" if end < len(text) else ""]
    return mark_safe("".join(parts).strip())  # noqa: S308 - every piece of text was escaped


def _spans(folded: str, origin: list[int] | None, pattern) -> list[tuple[int, int]]:
    if pattern is None:
        return []
    spans = []
    for found in pattern.finditer(folded):
        if found.end() == found.start():
            continue
        if origin is None:
            spans.append(found.span())
        else:
            spans.append((origin[found.start()], origin[found.end() - 1] + 1))
    return spans


def _word_start(text: str, start: int) -> int:
    """Move a cut forward to the next space so the snippet does not open mid-word."""
    if start == 0:
        return 0
    space = text.find(" ", start, start + 20)
    return space + 1 if space != -1 else start
