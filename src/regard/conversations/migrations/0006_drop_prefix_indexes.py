"""Drop the single-column indexes of foreign keys that a composite index already leads with.

Only the indexes are dropped: altering the fields would make SQLite rebuild each table, and a
rebuild drops what raw SQL added to it (the search triggers, conv_assignee_load).
"""

import django.db.models.deletion
from django.db import migrations, models


def drop_index(table: str, column: str, name: str) -> migrations.RunSQL:
    return migrations.RunSQL(
        f'DROP INDEX IF EXISTS "{name}"', f'CREATE INDEX "{name}" ON "{table}" ("{column}")'
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_routing_load_index"),
        ("conversations", "0005_event_kind_index"),
        ("customers", "0005_customer_lower_name_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                drop_index(
                    "conversations_conversation",
                    "assignee_id",
                    "conversations_conversation_assignee_id_e845f644",
                ),
                drop_index(
                    "conversations_conversation",
                    "customer_id",
                    "conversations_conversation_customer_id_afb78c4a",
                ),
                drop_index(
                    "conversations_conversation",
                    "team_id",
                    "conversations_conversation_team_id_c9f144f2",
                ),
                drop_index(
                    "conversations_event",
                    "conversation_id",
                    "conversations_event_conversation_id_ad7c8c1b",
                ),
                drop_index(
                    "conversations_event", "customer_id", "conversations_event_customer_id_8b89fec6"
                ),
                drop_index(
                    "conversations_message",
                    "conversation_id",
                    "conversations_message_conversation_id_f1a2d5e9",
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="conversation",
                    name="assignee",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="conversations",
                        to="accounts.agent",
                    ),
                ),
                migrations.AlterField(
                    model_name="conversation",
                    name="customer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="conversations",
                        to="customers.customer",
                    ),
                ),
                migrations.AlterField(
                    model_name="conversation",
                    name="team",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="conversations",
                        to="accounts.team",
                    ),
                ),
                migrations.AlterField(
                    model_name="event",
                    name="conversation",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="events",
                        to="conversations.conversation",
                    ),
                ),
                migrations.AlterField(
                    model_name="event",
                    name="customer",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="events",
                        to="customers.customer",
                    ),
                ),
                migrations.AlterField(
                    model_name="message",
                    name="conversation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="messages",
                        to="conversations.conversation",
                    ),
                ),
            ],
        ),
    ]
