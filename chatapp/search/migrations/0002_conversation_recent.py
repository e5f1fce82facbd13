"""A user's conversations newest first, archived or not: the order search results walk."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("search", "0001_database_indexes")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS search_conversation_recent"
            " ON chatapp_conversation (owner_id, updated_at DESC, id DESC)",
            "DROP INDEX IF EXISTS search_conversation_recent",
        )
    ]
