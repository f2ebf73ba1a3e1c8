"""Separate what a customer newly wrote from the quoted history beneath or inside it."""

import re

# An attribution line opens the quoted history; some clients wrap it over two lines.
_ATTRIBUTION = re.compile(
    r"^\s*(?:On\b.{0,300}?\bwrote|Am\b.{0,300}?\bschrieb|Le\b.{0,300}?\ba écrit"
    r"|El\b.{0,300}?\bescribió|Op\b.{0,300}?\bschreef)\s?.{0,80}:\s*$",
    re.IGNORECASE | re.DOTALL,
)
_HISTORY_MARKERS = re.compile(
    r"^\s*(?:-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Message d'origine)\s*-{2,}"
    r"|-{2,}\s*(?:Forwarded message|Weitergeleitete Nachricht)\s*-{2,}"
    r"|_{10,}|(?:From|Von|De):\s.+\s*$|-- ?\s*$)",
    re.IGNORECASE,
)
_ATTRIBUTION_STARTS = ("on ", "am ", "le ", "el ", "op ")


def new_text_ranges(text: str) -> list[tuple[int, int]]:
    """Return (start, end) offsets of the lines the sender newly wrote, in order."""
    ranges: list[tuple[int, int]] = []
    lines = text.splitlines(keepends=True)
    offset = 0
    for index, line in enumerate(lines):
        if _starts_history(line, lines[index + 1] if index + 1 < len(lines) else ""):
            break
        stripped = line.rstrip("\r\n")
        if not stripped.lstrip().startswith(">"):
            ranges.append((offset, offset + len(stripped)))
        offset += len(line)
    return ranges


def new_text(text: str) -> str:
    """Return the text minus quoted lines ("> ..."), the history below a reply header (in
    English, German, French, Spanish or Dutch clients) and the signature below "-- "."""
    return "\n".join(text[start:end] for start, end in new_text_ranges(text)).strip()


def _starts_history(line: str, next_line: str) -> bool:
    if _HISTORY_MARKERS.match(line):
        return True
    if not line.lstrip().lower().startswith(_ATTRIBUTION_STARTS):
        return False
    return bool(
        _ATTRIBUTION.match(line) or _ATTRIBUTION.match(line.rstrip("\r\n") + " " + next_line)
    )
