"""PostgreSQL: ts_rank_cd within the newest matches of the GIN index, pg_trgm for names."""

# ruff: noqa: S608 - the statements are constants; only the permission clause is spliced in,
# and it comes from the Django compiler with its values as parameters.
from __future__ import annotations

import json
import re

from django.db import connection, transaction

from regard.search.backends import Candidate
from regard.search.query import Query, Term, fold

# GIN cannot return rows newest first, and a bitmap over a word in most messages reads all of
# them, while walking back by primary key reads little when matches are dense but the whole
# table when they are rare. The planner's row estimate picks the cheaper; a walk stops after
# WALK rows and the index looks further back.
WALK = 200_000
_COLUMNS = """
    SELECT id, conversation_id, extract(epoch FROM now() - created_at) / 86400,
           ts_rank_cd(search_vector, to_tsquery('regard_search', %s)),
           search_vector @@ to_tsquery('regard_search', %s)"""
_RECENT = (
    _COLUMNS
    + """
    FROM (SELECT * FROM conversations_message WHERE id > %s ORDER BY id DESC LIMIT %s)
         conversations_message
    WHERE search_vector @@ to_tsquery('regard_search', %s) {visible}
    ORDER BY id DESC LIMIT %s"""
)
# Ranked after the limit: ts_rank_cd over every match of a medium word costs more than the scan.
_OLDER = (
    _COLUMNS
    + """
    FROM conversations_message WHERE id IN (
      SELECT id FROM conversations_message
      WHERE search_vector @@ to_tsquery('regard_search', %s) {visible}
        AND id > %s AND id <= %s
      ORDER BY id DESC LIMIT %s)
    ORDER BY id DESC"""
)
_NAMED = """
    SELECT id FROM customers_customer
    WHERE to_tsvector('regard_search'::regconfig, display_name || ' ' || preferred_name)
          @@ to_tsquery('regard_search', %s)
    LIMIT %s"""
_ADDRESSED = """
    SELECT DISTINCT customer_id FROM customers_identity
    WHERE regard_search_fold(value) LIKE %s LIMIT %s"""
_SIMILAR = """
    (SELECT id FROM customers_customer
     WHERE %s <%% regard_search_fold(display_name || ' ' || preferred_name) LIMIT %s)
    UNION
    (SELECT customer_id FROM customers_identity
     WHERE %s <%% regard_search_fold(value) LIMIT %s)"""


def message_candidates(query: Query, count: int, visible: str, params: list) -> list[Candidate]:
    """The newest `count` visible matches, newest first, scored by ts_rank_cd."""
    several = len(query.terms) > 1
    expression = query.tsquery()
    columns = [expression, query.tsquery_phrase() if several else expression]
    where = f"AND {visible}" if visible else ""
    # Permission checks by primary key per match: hashing every visible conversation costs
    # more than the search itself.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_hashjoin = off")
        cursor.execute("SET LOCAL enable_mergejoin = off")
        cursor.execute("SELECT coalesce(max(id), 0) FROM conversations_message")
        newest = cursor.fetchone()[0]
        floor, rows = newest, []
        # A walk reads about count / share rows, the index share * newest rows, each dearer:
        # measured, they cost the same near estimate ** 2 = count * newest.
        estimate = _estimate(cursor, query)
        if estimate**2 >= count * newest:
            floor = newest - WALK
            recent = [*columns, floor, WALK, expression, *params, count]
            cursor.execute(_RECENT.format(visible=where), recent)
            rows = cursor.fetchall()
        # Through the index in widening id ranges, so only recent matches are fetched; a rare
        # word has few to fetch, and the id ranges would cost more than they save.
        lowers = (0,) if estimate < 4 * count else (newest - newest // 16, newest - newest // 4, 0)
        for lower in lowers:
            if len(rows) >= count or floor <= 0:
                break
            if lower >= floor:
                continue
            older = [*columns, expression, *params, lower, floor, count - len(rows)]
            cursor.execute(_OLDER.format(visible=where), older)
            rows += cursor.fetchall()
            floor = lower
    return [
        Candidate(pk, conversation_id, float(age), relevance, phrased and several)
        for pk, conversation_id, age, relevance, phrased in rows
    ]


def _estimate(cursor, query: Query) -> float:
    """An upper bound of matching rows: the planner's guess for the rarest word alone."""
    guesses = []
    for term in query.terms:
        for index, word in enumerate(term.words):
            prefix = term.prefix and index == len(term.words) - 1
            cursor.execute(
                "EXPLAIN (FORMAT JSON) SELECT 1 FROM conversations_message "
                "WHERE search_vector @@ to_tsquery('regard_search', %s)",
                [Query((Term((word,), prefix),)).tsquery()],
            )
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            guesses.append(float(plan[0]["Plan"]["Plan Rows"]))
    return min(guesses)


def customer_candidates(query: Query, count: int, wanted: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(_NAMED, [query.tsquery(), count])
        found = [row[0] for row in cursor.fetchall()]
        if len(found) < wanted and len("".join(query.words)) >= 3:
            cursor.execute(_ADDRESSED, [_contains(query), count - len(found)])
            found += [row[0] for row in cursor.fetchall() if row[0] not in found]
    return found


def similar_customers(query: Query, count: int) -> list[int]:
    """Customers with a word like the query's words (pg_trgm word similarity, unaccented)."""
    text = fold(" ".join(query.words))
    # Looser than pg_trgm's default 0.6, so swapped letters pass; Python scores them after.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL pg_trgm.word_similarity_threshold = 0.4")
        cursor.execute(_SIMILAR, [text, count, text, count])
        return [row[0] for row in cursor.fetchall()]


def _contains(query: Query) -> str:
    """A LIKE pattern for an address containing the words in order, whatever lies between."""
    return "%" + "%".join(re.sub(r"[\W_]", "", fold(word)) for word in query.words) + "%"
