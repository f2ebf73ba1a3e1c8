"""The search indexes as SQL per vendor: created by migration 0001, repaired after later ones.

Changing a statement here changes what 0001 does on a fresh database: add a migration as well.
"""

# ruff: noqa: S608 - every statement here is assembled from constants, never from input.
from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

# unicode61 without stemming: customers write in many languages, and prefixes cover plurals.
# The customer tables hold one row per name (rowid 2 * customer id) and one per identity
# (rowid 2 * identity id + 1), so each trigger reads only its own row: a trigger that reads
# another table would make SQLite refuse the table rebuilds Django migrations do.
SQLITE_TABLES = [
    """CREATE VIRTUAL TABLE search_message_fts USING fts5(
        subject, text_new, content='conversations_message', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE VIRTUAL TABLE search_customer_words USING fts5(
        text, customer_id UNINDEXED, tokenize='unicode61 remove_diacritics 2')""",
    """CREATE VIRTUAL TABLE search_customer_trigrams USING fts5(
        text, customer_id UNINDEXED, tokenize='trigram')""",
]
_CUSTOMER_TABLES = ("search_customer_words", "search_customer_trigrams")
_MESSAGE_DELETE = """
    INSERT INTO search_message_fts(search_message_fts, rowid, subject, text_new)
    VALUES ('delete', old.id, old.subject, old.text_new);"""
_MESSAGE_INSERT = """
    INSERT INTO search_message_fts(rowid, subject, text_new)
    VALUES (new.id, new.subject, new.text_new);"""


def _forget(rowid: str) -> str:
    return "".join(
        f"\n    DELETE FROM {table} WHERE rowid = {rowid};" for table in _CUSTOMER_TABLES
    )


def _remember(rowid: str, text: str, customer_id: str) -> str:
    return "".join(
        f"\n    INSERT INTO {table}(rowid, text, customer_id)"
        f" VALUES ({rowid}, {text}, {customer_id});"
        for table in _CUSTOMER_TABLES
    )


_NAME = "{row}.display_name || ' ' || {row}.preferred_name"
_NEW_NAME = _remember("2 * new.id", _NAME.format(row="new"), "new.id")
_NEW_IDENTITY = _remember("2 * new.id + 1", "new.value", "new.customer_id")

# Triggers, not application code, keep the indexes current: bulk_create and raw SQL included.
SQLITE_TRIGGERS = {
    "search_message_ai": "AFTER INSERT ON conversations_message BEGIN" + _MESSAGE_INSERT,
    "search_message_ad": "AFTER DELETE ON conversations_message BEGIN" + _MESSAGE_DELETE,
    "search_message_au": "AFTER UPDATE OF subject, text_new ON conversations_message BEGIN"
    + _MESSAGE_DELETE
    + _MESSAGE_INSERT,
    "search_customer_ai": "AFTER INSERT ON customers_customer BEGIN" + _NEW_NAME,
    "search_customer_au": "AFTER UPDATE OF display_name, preferred_name ON customers_customer "
    "BEGIN" + _forget("2 * old.id") + _NEW_NAME,
    "search_customer_ad": "AFTER DELETE ON customers_customer BEGIN" + _forget("2 * old.id"),
    "search_identity_ai": "AFTER INSERT ON customers_identity BEGIN" + _NEW_IDENTITY,
    "search_identity_au": "AFTER UPDATE OF value, customer_id ON customers_identity BEGIN"
    + _forget("2 * old.id + 1")
    + _NEW_IDENTITY,
    "search_identity_ad": "AFTER DELETE ON customers_identity BEGIN" + _forget("2 * old.id + 1"),
}

SQLITE_FILL = [
    "INSERT INTO search_message_fts(search_message_fts) VALUES ('rebuild')",
    "DELETE FROM search_customer_words",
    "DELETE FROM search_customer_trigrams",
    *(
        f"""INSERT INTO {table}(rowid, text, customer_id)
            SELECT 2 * c.id, {_NAME.format(row="c")}, c.id FROM customers_customer c
            UNION ALL
            SELECT 2 * i.id + 1, i.value, i.customer_id FROM customers_identity i"""
        for table in _CUSTOMER_TABLES
    ),
]

SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS] + [
    "DROP TABLE IF EXISTS search_message_fts",
    "DROP TABLE IF EXISTS search_customer_words",
    "DROP TABLE IF EXISTS search_customer_trigrams",
]

# 'simple' plus unaccent: no stemming or stop words, like the SQLite side, so phrases such as
# "not received" keep every word and German or French text is not mangled by English rules.
POSTGRES_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION regard_search (COPY = simple)",
    "ALTER TEXT SEARCH CONFIGURATION regard_search "
    "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple",
    # unaccent() is only STABLE; naming its schema and dictionary makes the wrapper safe to
    # index, also where search_path is empty (pg_dump restores, autovacuum).
    """CREATE FUNCTION regard_search_fold(text) RETURNS text
       LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
       AS $$ SELECT lower({schema}.unaccent('{schema}.unaccent'::regdictionary, $1)) $$""",
    # A stored column rather than an expression index: ranking and the newest-first plan read
    # the vector per row, and recomputing to_tsvector there costs more than the whole query.
    """ALTER TABLE conversations_message ADD COLUMN search_vector tsvector
       GENERATED ALWAYS AS (
         setweight(to_tsvector('regard_search'::regconfig, coalesce(subject, '')), 'B')
         || to_tsvector('regard_search'::regconfig, coalesce(text_new, ''))
       ) STORED""",
    "CREATE INDEX search_message_vector ON conversations_message USING gin (search_vector)",
    """CREATE INDEX search_customer_words ON customers_customer USING gin
       (to_tsvector('regard_search'::regconfig, display_name || ' ' || preferred_name))""",
    """CREATE INDEX search_customer_trigrams ON customers_customer USING gin
       (regard_search_fold(display_name || ' ' || preferred_name) gin_trgm_ops)""",
    """CREATE INDEX search_identity_trigrams ON customers_identity USING gin
       (regard_search_fold(value) gin_trgm_ops)""",
]

POSTGRES_DROP = [
    "DROP INDEX IF EXISTS search_identity_trigrams",
    "DROP INDEX IF EXISTS search_customer_trigrams",
    "DROP INDEX IF EXISTS search_customer_words",
    "DROP INDEX IF EXISTS search_message_vector",
    "ALTER TABLE conversations_message DROP COLUMN IF EXISTS search_vector",
    "DROP FUNCTION IF EXISTS regard_search_fold(text)",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS regard_search",
]


def create_indexes(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor == "sqlite":
        triggers = _sqlite_trigger_statements(SQLITE_TRIGGERS)
        statements = [*SQLITE_TABLES, *triggers, *SQLITE_FILL]
    elif connection.vendor == "postgresql":
        statements = _postgres_statements(connection)
    else:
        return
    _execute(connection, statements)


def drop_indexes(connection: BaseDatabaseWrapper) -> None:
    drops = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}
    _execute(connection, drops.get(connection.vendor, []))


def repair_sqlite_triggers(connection: BaseDatabaseWrapper) -> list[str]:
    """Recreate triggers lost when a migration rebuilt a table; refill the indexes if any were.

    SQLite alters a table by copying it to a new one, and the copy has no triggers.
    """
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('trigger', 'table')")
        present = {row[0] for row in cursor.fetchall()}
    if "search_message_fts" not in present:
        return []
    missing = {name: sql for name, sql in SQLITE_TRIGGERS.items() if name not in present}
    if missing:
        _execute(connection, _sqlite_trigger_statements(missing) + SQLITE_FILL)
    return sorted(missing)


def _postgres_statements(connection: BaseDatabaseWrapper) -> list[str]:
    _execute(connection, POSTGRES_CREATE[:2])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT quote_ident(extnamespace::regnamespace::text) FROM pg_extension "
            "WHERE extname = 'unaccent'"
        )
        schema = cursor.fetchone()[0]
    return [statement.replace("{schema}", schema) for statement in POSTGRES_CREATE[2:]]


def _sqlite_trigger_statements(triggers: dict[str, str]) -> list[str]:
    return [f"CREATE TRIGGER {name} {body} END" for name, body in triggers.items()]


def _execute(connection: BaseDatabaseWrapper, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
