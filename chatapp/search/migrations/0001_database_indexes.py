"""The database's own search indexes: pg_trgm + GIN on PostgreSQL, an FTS5 table on SQLite."""

from django.db import migrations

FORWARDS = {
    "postgresql": [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE INDEX IF NOT EXISTS search_message_trgm"
        " ON chatapp_message USING gin (text gin_trgm_ops)",
        "CREATE INDEX IF NOT EXISTS search_message_words"
        " ON chatapp_message USING gin (to_tsvector('simple'::regconfig, text))",
        "CREATE INDEX IF NOT EXISTS search_conversation_trgm"
        " ON chatapp_conversation USING gin (title gin_trgm_ops)",
    ],
    "sqlite": [
        "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
        "body, conversation_id UNINDEXED, message_id UNINDEXED, tokenize='trigram')",
    ],
}
BACKWARDS = {
    "postgresql": [
        "DROP INDEX IF EXISTS search_message_trgm",
        "DROP INDEX IF EXISTS search_message_words",
        "DROP INDEX IF EXISTS search_conversation_trgm",
    ],
    "sqlite": ["DROP TABLE IF EXISTS search_fts"],
}


def run(statements):
    def apply(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("chatapp", "0001_initial")]

    operations = [migrations.RunPython(run(FORWARDS), run(BACKWARDS))]
