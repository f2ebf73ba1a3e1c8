"""User input turned into safe search terms, rendered for SQLite FTS5 or PostgreSQL tsquery."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

MAX_TERMS = 12
MAX_TOKEN = 64
# Scanning more than this is pointless: the terms are capped anyway.
MAX_INPUT = 2_000
_TOKEN = re.compile(r"[^\W_]+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})


@dataclass(frozen=True)
class Term:
    """One word (prefix-matched unless quoted) or one quoted phrase of several words."""

    words: tuple[str, ...]
    prefix: bool = False

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass(frozen=True)
class Query:
    terms: tuple[Term, ...]

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(word for term in self.terms for word in term.words)

    def fts5(self) -> str:
        """Every token is a quoted string, so no FTS5 operator or special character survives."""
        return " ".join(_fts5_term(term) for term in self.terms)

    def fts5_phrase(self) -> str:
        """The bare words as one phrase: messages holding it exactly are ranked higher."""
        return _fts5_term(Term(self.words, prefix=self.terms[-1].prefix))

    def tsquery(self) -> str:
        """Text for `to_tsquery`: single-quoted lexemes joined by & and <->, nothing else."""
        return " & ".join(_tsquery_term(term) for term in self.terms)

    def tsquery_phrase(self) -> str:
        return _tsquery_term(Term(self.words, prefix=self.terms[-1].prefix))


def parse_query(text: str) -> Query:
    """Split input into quoted phrases and words; anything that is not a letter or digit goes."""
    text = unicodedata.normalize("NFC", (text or "")[:MAX_INPUT]).translate(_QUOTES)
    parts = text.split('"')
    # With an odd number of quotes the last one is unbalanced: what follows it is plain words.
    closed = len(parts) if len(parts) % 2 else len(parts) - 1
    terms: list[Term] = []
    for index, part in enumerate(parts):
        words = tuple(token.lower()[:MAX_TOKEN] for token in _TOKEN.findall(part))
        if index % 2 and index < closed and len(words) > 1:
            terms.append(Term(words[:MAX_TERMS]))
        elif index % 2 and index < closed:
            terms += [Term(words)] if words else []
        else:
            terms += [Term((word,), prefix=len(word) > 1) for word in words]
    unique = tuple(dict.fromkeys(terms))
    return Query(unique[:MAX_TERMS])


def _fts5_term(term: Term) -> str:
    return '"' + " ".join(term.words) + '"' + ("*" if term.prefix else "")


def _tsquery_term(term: Term) -> str:
    return " <-> ".join(
        f"'{word}'" + (":*" if term.prefix and i == len(term.words) - 1 else "")
        for i, word in enumerate(term.words)
    )


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold(text: str) -> str:
    """Lower case without diacritics, as the indexes compare words ("Ångström" -> "angstrom")."""
    if text.isascii():
        return text.lower()
    return "".join(_fold_char(char) for char in text)


def fold_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """The folded text and, when folding moved characters, each folded character's origin."""
    if text.isascii():
        return text.lower(), None
    folded, origin = [], []
    for index, char in enumerate(text):
        piece = _fold_char(char)
        folded.append(piece)
        origin += [index] * len(piece)
    return "".join(folded), origin
