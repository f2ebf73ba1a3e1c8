"""Make untrusted HTML safe to show (an nh3 allow-list) and readable as plain text (stdlib)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

ALLOWED_TAGS = frozenset(
    {"p", "br", "div", "span", "b", "strong", "i", "em", "u", "s", "blockquote", "pre", "code"}
    | {"ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "td", "th", "hr"}
    | {"h1", "h2", "h3", "h4", "h5", "h6"}
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "cid"})
# Contents that must vanish with their tag: code, styling and document metadata.
CLEAN_CONTENT_TAGS = frozenset({"script", "style", "title", "head", "noscript", "template"})


def _keep_attribute(tag: str, attr: str, value: str) -> str | None:
    # nh3's scheme list is global; `cid:` is only meaningful as an inline image source.
    if value[:4].lower() == "cid:" and not (tag == "img" and attr == "src"):
        return None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(CLEAN_CONTENT_TAGS),
    # "*" overrides ammonia's default generic attributes (lang, title) with none.
    attributes={"*": set()} | {tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
    attribute_filter=_keep_attribute,
    strip_comments=True,
    link_rel="noopener noreferrer nofollow",
    url_schemes=set(URL_SCHEMES),
)


MAX_NESTING = 1_000
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")
_CODE_EDGE = re.compile(r"<(/?)(script|style)\b[^>]*>?", re.IGNORECASE)
_NOT_NESTING = frozenset(
    {"br", "img", "hr", "meta", "link", "input", "area", "base", "col", "embed", "source", "wbr"}
    | {"p", "li", "td", "th", "tr", "option", "dt", "dd"}  # closed implicitly by their siblings
)


def too_deeply_nested(html: str, limit: int = MAX_NESTING) -> bool:
    """True when elements nest deeper than `limit`, which makes HTML parsing quadratic."""
    depth = 0
    for match in _TAG.finditer(html):
        closing, name, self_closing = match.groups()
        if closing:
            depth = max(0, depth - 1)
        elif not self_closing and name.lower() not in _NOT_NESTING:
            depth += 1
            if depth > limit:
                return True
    return False


def _drop_code(html: str) -> str:
    """Remove script and style elements with their content, in one linear pass."""
    kept, start, inside = [], 0, None
    for match in _CODE_EDGE.finditer(html):
        closing, name = match.group(1), match.group(2).lower()
        if inside is None and not closing:
            kept.append(html[start : match.start()])
            inside = name
        elif inside == name and closing:
            inside, start = None, match.end()
    if inside is None:
        kept.append(html[start:])
    return " ".join(kept)


def defuse_html(html: str) -> str:
    """Return `html` itself, or only its text when it nests too deep to parse in good time
    (parsing cost grows with the square of the nesting depth)."""
    if len(html) > 20 * MAX_NESTING and too_deeply_nested(html):
        return _TAG.sub(" ", _drop_code(html))
    return html


def sanitize_html(html: str) -> str:
    """Return `html` reduced to the allow-listed tags, attributes and URL schemes."""
    if not html:
        return ""
    return _CLEANER.clean(defuse_html(html))


_BLOCK_TAGS = frozenset(
    {"p", "div", "blockquote", "pre", "ul", "ol", "table", "tr", "hr", "section", "article"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "header", "footer", "address", "center", "dl", "dt"}
    | {"dd", "form", "fieldset", "main", "nav", "aside", "figure", "figcaption"}
)
_PARAGRAPH_TAGS = frozenset({"p", "h1", "h2", "h3", "blockquote", "ul", "ol", "table", "pre"})
_SKIP_TAGS = frozenset({"script", "style", "head", "title", "noscript", "template", "svg"})
# Private-use markers for blockquote edges, turned into ">" prefixes once lines are known.
_QUOTE_OPEN, _QUOTE_CLOSE = "\ue000", "\ue001"
_SPACES = re.compile(r"[ \t\r\n\f\v\u200b]+")
_BLANK_LINES = re.compile(r"\n{3,}")


# A first pass in Rust leaves html.parser only the tags that shape text, with no attributes
# but link targets: several times faster on real mail, and script/style content is gone.
_TEXT_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS | _BLOCK_TAGS | {"li"}),
    clean_content_tags=set(CLEAN_CONTENT_TAGS),
    attributes={"*": set(), "a": {"href"}},
    strip_comments=True,
    link_rel=None,
    url_schemes=set(URL_SCHEMES),
)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.pending = 0  # line breaks owed to block boundaries; adjacent ones do not add up
        self.skip_depth = 0
        self.pre_depth = 0
        self.links: list[tuple[str, int]] = []

    def _break(self, lines: int) -> None:
        self.pending = max(self.pending, lines)

    def _emit(self, text: str) -> None:
        if self.pending:
            self.parts.append("\n" * self.pending)
            self.pending = 0
        self.parts.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip_depth += 1
        elif tag == "br":
            self._emit("\n")
        elif tag == "li":
            self._break(1)
            self._emit("- ")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.parts)))
        elif tag in _BLOCK_TAGS:
            self._break(2 if tag in _PARAGRAPH_TAGS else 1)
            if tag == "blockquote":
                self._emit(_QUOTE_OPEN)
            self.pre_depth += tag == "pre"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIP_TAGS:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag == "a" and self.links:
            self._close_link(*self.links.pop())
        elif tag in _BLOCK_TAGS or tag == "li":
            if tag == "blockquote":
                self.parts.append(_QUOTE_CLOSE)
            self._break(2 if tag in _PARAGRAPH_TAGS else 1)
            self.pre_depth = max(0, self.pre_depth - (tag == "pre"))

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        data = data.replace(_QUOTE_OPEN, "").replace(_QUOTE_CLOSE, "")
        if self.pre_depth:
            self._emit(data)
        elif data.strip():
            self._emit(_SPACES.sub(" ", data))
        elif not self.pending:
            self.parts.append(" ")

    def _close_link(self, href: str, start: int) -> None:
        label = _SPACES.sub(" ", "".join(self.parts[start:])).strip()
        target = href.strip()
        shown = target[7:] if target.lower().startswith("mailto:") else target
        if shown and label and shown != label and not target.lower().startswith(("#", "cid:")):
            self.parts.append(f" ({shown})")


def html_to_text(html: str) -> str:
    """Return readable text for `html`: blocks as lines, list items as "- ", links with URLs."""
    if not html:
        return ""
    parser = _TextExtractor()
    try:
        parser.feed(_TEXT_CLEANER.clean(defuse_html(html)))
        parser.close()
    except (AssertionError, ValueError, IndexError):
        pass  # html.parser can trip on hostile markup; keep what was read so far.
    lines = [line.strip(" ") for line in "".join(parser.parts).replace("\xa0", " ").split("\n")]
    text = "\n".join(_quote_lines(lines))
    return _BLANK_LINES.sub("\n\n", text).strip()


def _quote_lines(lines: list[str]) -> list[str]:
    """Prefix the lines inside <blockquote> with ">" per level, as mail clients quote text."""
    quoted, depth = [], 0
    for line in lines:
        level = depth + line.count(_QUOTE_OPEN)
        depth = max(0, level - line.count(_QUOTE_CLOSE))
        content = line.replace(_QUOTE_OPEN, "").replace(_QUOTE_CLOSE, "").strip(" ")
        quoted.append(f"{'>' * level} {content}" if content and level else content)
    return quoted
