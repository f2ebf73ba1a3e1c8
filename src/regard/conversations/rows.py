"""Single-row reads and writes in hand-written SQL, for the inbound pipeline's hottest statements.

Building a one-row INSERT, UPDATE or SELECT through the ORM costs several times what SQLite
spends running it, and every inbound mail runs a dozen of them. These helpers write the same SQL
from the model's own metadata, and prepare and convert each value with its field, exactly as
the ORM does; what they skip is the per-call query building (and model signals, which Regard
does not use: side effects are explicit calls, see `conversations.hooks`).
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models

_SQL: dict = {}  # (vendor, model, what) -> SQL or converters, built once per process
# Fields whose preparation gives back a value of this exact type (or None) unchanged: the
# value is taken as it is. Exact classes only: a subclass may prepare differently.
_PLAIN = {
    models.CharField: str,
    models.TextField: str,
    models.EmailField: str,
    models.IntegerField: int,
    models.SmallIntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.BooleanField: bool,
    models.ForeignKey: int,  # to an integer primary key: see _plain_type
}


def columns(model, alias: str) -> str:
    """Every column of `model`, qualified by `alias`, in the order `from_row` reads them."""
    return ", ".join(f"{alias}.{field.column}" for field in model._meta.concrete_fields)


def from_row(model, values):
    """An instance from raw values of all its `columns`, converted the way the ORM converts."""
    db = connections[DEFAULT_DB_ALIAS]
    converted = []
    for value, (column, converters) in zip(values, _converters(db, model), strict=True):
        for convert in converters:
            value = convert(value, column, db)
        converted.append(value)
    names = [field.attname for field in model._meta.concrete_fields]
    return model.from_db(db.alias, names, converted)


def insert_row(instance) -> None:
    """`instance.save()` for a new row with an automatic primary key."""
    db = connections[DEFAULT_DB_ALIAS]
    model = type(instance)
    fields = _cached(db, model, "fields", lambda: _insert_fields(model))
    sql = _cached(db, model, "insert", lambda: _insert_sql(db, model, fields, returning=True))
    with db.cursor() as cursor:
        cursor.execute(sql, _insert_values(db, instance, fields))
        if db.features.can_return_columns_from_insert:
            instance.pk = cursor.fetchone()[0]
        else:
            instance.pk = cursor.lastrowid
    instance._state.adding = False
    instance._state.db = db.alias


def insert_rows(instances: list) -> None:
    """`bulk_create(instances)` of one model, for rows whose ids nobody reads afterwards: one
    statement run for every row, no ids fetched."""
    if not instances:
        return
    db = connections[DEFAULT_DB_ALIAS]
    model = type(instances[0])
    fields = _cached(db, model, "fields", lambda: _insert_fields(model))
    sql = _cached(db, model, "insert many", lambda: _insert_sql(db, model, fields, returning=False))
    with db.cursor() as cursor:
        cursor.executemany(sql, [_insert_values(db, instance, fields) for instance in instances])


def _insert_fields(model) -> list[tuple]:
    """(field, the exact type whose values go in unchanged or None) for each inserted field."""
    return [
        (field, _plain_type(field))
        for field in model._meta.concrete_fields
        if not field.primary_key
    ]


def _plain_type(field):
    plain = _PLAIN.get(type(field))
    if plain is int and field.is_relation:
        target = field.target_field
        plain = int if type(target) in (models.AutoField, models.BigAutoField) else None
    return plain


def _insert_values(db, instance, fields) -> list:
    values = []
    for field, plain in fields:
        if plain is not None:
            value = getattr(instance, field.attname)  # what Field.pre_save gives
            if value is None or type(value) is plain:
                values.append(value)
                continue
        values.append(field.get_db_prep_save(field.pre_save(instance, True), db))
    return values


def update_row(instance, names: list[str]) -> None:
    """`instance.save(update_fields=names)`."""
    db = connections[DEFAULT_DB_ALIAS]
    meta = type(instance)._meta
    fields = [meta.get_field(name) for name in names]
    values = [field.get_db_prep_save(field.pre_save(instance, False), db) for field in fields]
    quote = db.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {assignments} "  # noqa: S608 - names from the model
        f"WHERE {quote(meta.pk.column)} = %s"
    )
    with db.cursor() as cursor:
        cursor.execute(sql, [*values, instance.pk])
        if cursor.rowcount == 0:
            raise DatabaseError("Save with update_fields did not affect any rows.")


def _insert_sql(db, model, fields, returning: bool) -> str:
    quote = db.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 - names from the model
        f"({', '.join(quote(field.column) for field, _ in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    if returning and db.features.can_return_columns_from_insert:
        sql += f" RETURNING {quote(model._meta.pk.column)}"
    return sql


def _converters(db, model) -> list:
    def build():
        table = model._meta.db_table
        found = []
        for field in model._meta.concrete_fields:
            column = field.get_col(table)
            found.append(
                (column, [*db.ops.get_db_converters(column), *column.get_db_converters(db)])
            )
        return found

    return _cached(db, model, "converters", build)


def _cached(db, model, what: str, build):
    key = (db.vendor, model, what)
    if key not in _SQL:
        _SQL[key] = build()
    return _SQL[key]
