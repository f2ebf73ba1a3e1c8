"""SQLite FTS5: bm25 within the newest matches, trigram FTS5 for names that are misspelt."""

from __future__ import annotations

from django.db import connection

from regard.search.backends import Candidate
from regard.search.query import Query, Term, fold

# bm25 column weights: a word in the subject counts twice a word in the body.
# CROSS JOIN keeps the FTS table outside, so its rowid order (newest first) drives the walk.
_NEWEST_MATCHES = """
    SELECT search_message_fts.rowid, conversations_message.conversation_id,
           julianday('now') - julianday(conversations_message.created_at),
           -bm25(search_message_fts, 2.0, 1.0)
    FROM search_message_fts CROSS JOIN conversations_message
      ON conversations_message.id = search_message_fts.rowid
    WHERE search_message_fts MATCH %s {visible}
    ORDER BY search_message_fts.rowid DESC LIMIT %s"""
_PHRASE_AMONG = """
    SELECT rowid FROM search_message_fts
    WHERE search_message_fts MATCH %s AND rowid BETWEEN %s AND %s"""
# Counting stops here: a word in this many messages is common enough to match exactly.
DENSE = 10_000
_DENSE = """
    SELECT count(*) FROM (
      SELECT rowid FROM search_message_fts WHERE search_message_fts MATCH %s LIMIT %s)"""
_NAMED = """
    SELECT DISTINCT customer_id FROM search_customer_words WHERE search_customer_words MATCH %s
    LIMIT %s"""
DENSE_TRIGRAM = 2_000
_DENSE_TRIGRAM = """
    SELECT count(*) FROM (
      SELECT rowid FROM search_customer_trigrams WHERE search_customer_trigrams MATCH %s
      LIMIT %s)"""
_SIMILAR = """
    SELECT customer_id FROM search_customer_trigrams WHERE search_customer_trigrams MATCH %s
    ORDER BY rank LIMIT %s"""


def message_candidates(query: Query, count: int, visible: str, params: list) -> list[Candidate]:
    """The newest `count` visible matches, newest first, scored by bm25."""
    sql = _NEWEST_MATCHES.format(visible=f"AND {visible}" if visible else "")
    with connection.cursor() as cursor:
        query = _without_dense_prefixes(cursor, query)
        cursor.execute(sql, [query.fts5(), *params, count])
        rows = cursor.fetchall()
        phrased = set()
        if rows and len(query.terms) > 1:
            cursor.execute(_PHRASE_AMONG, [query.fts5_phrase(), rows[-1][0], rows[0][0]])
            phrased = {row[0] for row in cursor.fetchall()}
    return [
        Candidate(pk, conversation_id, age_days, relevance, pk in phrased)
        for pk, conversation_id, age_days, relevance in rows
    ]


def _without_dense_prefixes(cursor, query: Query) -> Query:
    """Match words found in many messages exactly: FTS5 merges every word a prefix covers in
    memory before it can walk newest-first, which costs 300 ms for `the*` over a million
    messages, and for such a word the longer forms add little."""
    terms = []
    for term in query.terms:
        if term.prefix:
            cursor.execute(_DENSE, [Query((Term(term.words),)).fts5(), DENSE])
            term = Term(term.words, prefix=cursor.fetchone()[0] < DENSE)
        terms.append(term)
    return Query(tuple(terms))


def customer_candidates(query: Query, count: int, wanted: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(_NAMED, [query.fts5(), count])
        return [row[0] for row in cursor.fetchall()]


def similar_customers(query: Query, count: int) -> list[int]:
    """Customers sharing the most trigrams with the words (the index keeps diacritics)."""
    trigrams = {
        word[i : i + 3]
        for raw in query.words
        for word in {raw, fold(raw)}
        for i in range(len(word) - 2)
    }
    with connection.cursor() as cursor:
        # A trigram most addresses share ("com", "ail") tells no one apart, and ranking every
        # row it matches costs more than all the rest of the search.
        telling = []
        for trigram in sorted(trigrams):
            cursor.execute(_DENSE_TRIGRAM, [f'"{trigram}"', DENSE_TRIGRAM])
            if cursor.fetchone()[0] < DENSE_TRIGRAM:
                telling.append(trigram)
        if not telling:
            return []
        cursor.execute(_SIMILAR, [" OR ".join(f'"{trigram}"' for trigram in telling), count])
        return [row[0] for row in cursor.fetchall()]
