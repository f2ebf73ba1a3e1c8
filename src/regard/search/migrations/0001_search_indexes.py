"""Full-text indexes per vendor: FTS5 tables kept by triggers on SQLite, GIN indexes on PostgreSQL."""

from django.db import migrations

from regard.search import schema


def create_indexes(apps, schema_editor):
    schema.create_indexes(schema_editor.connection)


def drop_indexes(apps, schema_editor):
    schema.drop_indexes(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0001_initial"),
        ("customers", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
