"""An index for routing's load count: each agent's conversations by status, with priority.

Conversation belongs to the conversations app, but only routing reads it this way. Counting an
agent's active conversations and summing their priorities then reads the index alone, instead
of every conversation the agent ever had (closed history is most of the table). Not a partial
index: SQLite cannot use one when the statuses arrive as bound parameters.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_routing"),
        ("conversations", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX conv_assignee_load ON conversations_conversation "
            "(assignee_id, status, priority)",
            "DROP INDEX conv_assignee_load",
        )
    ]
