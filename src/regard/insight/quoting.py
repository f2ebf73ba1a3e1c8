"""Separate what a customer newly wrote from the quoted history beneath or inside it."""

import re

# An attribution line opens the quoted history; some clients wrap it over two lines.
_ATTRIBUTION = re.compile(r"^\s*On\b.{0,300}?\bwrote:\s*$", re.IGNORECASE | re.DOTALL)
_HISTORY_MARKERS = re.compile(
    r"^\s*(?:-{2,}\s*Original Message\s*-{2,}|-{2,}\s*Forwarded message\s*-{2,}"
    r"|_{10,}|From:\s.+\s*$)",
    re.IGNORECASE,
)


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
    """Return the text minus quoted lines ("> ...") and the history below a reply header."""
    return "\n".join(text[start:end] for start, end in new_text_ranges(text)).strip()


def _starts_history(line: str, next_line: str) -> bool:
    if _HISTORY_MARKERS.match(line):
        return True
    if not line.lstrip().lower().startswith("on "):
        return False
    return bool(
        _ATTRIBUTION.match(line) or _ATTRIBUTION.match(line.rstrip("\r\n") + " " + next_line)
    )
